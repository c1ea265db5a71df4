"""The correctness score: P(suggestion right) from what the suggestion looked like, learned from decisions."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.routing.adaptive import AdaptiveRouter
from pipeline.routing.confidence import FEATURES, CorrectnessModel, suggestion_features
from pipeline.routing.memory import DecisionMemory
from pipeline.routing.thresholds import RecentThresholds


def test_features_describe_the_suggestion_and_the_model_alone():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    f = suggestion_features([0.8, 0.5], [0.1, 0.4], proba, ["a", "b", "c"], ["a", "b"])
    assert f.shape == (2, len(FEATURES))
    col = dict(zip(FEATURES, f.T))
    assert col["margin"] == pytest.approx([0.7, 0.1])
    assert col["model_agrees"].tolist() == [1.0, 0.0]  # the blend chose 'b', the model alone 'c'
    assert col["model_p_chosen"][0] > col["model_p_chosen"][1]


def synthetic(n=1200, seed=0):
    """Confidence says little; whether the model alone agreed says a lot."""
    rng = np.random.default_rng(seed)
    conf = rng.uniform(0.6, 0.99, n)
    agrees = rng.random(n) < 0.5
    correct = rng.random(n) < np.where(agrees, 0.97, 0.6)
    proba = np.where(agrees[:, None], [[0.9, 0.1]], [[0.1, 0.9]])
    return suggestion_features(conf, 1 - conf, proba, ["a", "b"], ["a"] * n), correct


def coverage_at(score, correct, target=0.95):
    order = np.argsort(-score, kind="stable")
    precision = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    ok = np.nonzero(precision >= target)[0]
    return (ok.max() + 1) / len(order) if ok.size else 0.0


def test_the_score_separates_right_from_wrong_better_than_the_confidence():
    X, correct = synthetic()
    model = CorrectnessModel().fit(X, correct)
    X_new, correct_new = synthetic(seed=1)
    conf = 1 / (1 + np.exp(-X_new[:, 0]))
    assert coverage_at(model.score(X_new), correct_new) > coverage_at(conf, correct_new) + 0.2
    assert model.oof_.shape == (len(correct),)
    assert coverage_at(model.oof_, correct) > 0.3  # out-of-fold scores rank as well, without seeing their rows


def test_too_little_evidence_leaves_the_confidence_as_the_score():
    X, correct = synthetic(n=100)
    model = CorrectnessModel(min_records=200).fit(X, correct)
    assert not model.ready
    assert model.score(X) == pytest.approx(1 / (1 + np.exp(-X[:, 0])))


def test_the_adaptive_router_decides_auto_route_on_the_score_once_fitted(demo_router, demo_complaints):
    adaptive = AdaptiveRouter(demo_router, prefit=True, memory=DecisionMemory(),
                              thresholds=RecentThresholds(min_records=50, min_support=10),
                              correctness=CorrectnessModel(min_records=50)).fit(demo_complaints,
                                                                                demo_complaints["opd"])
    first = adaptive.route(demo_complaints, explain=False)
    assert all(r.score_features is not None and len(r.score_features) == len(FEATURES) for r in first)
    assert not adaptive._scored
    # wrong outcomes for half of them, so the score has both classes to learn from
    truth = demo_complaints["opd"].where(np.arange(len(demo_complaints)) % 2 == 0, "Unit Lain")
    adaptive.observe(demo_complaints, truth, first)
    assert adaptive._scored and len(adaptive.evidence_["correct"]) == len(demo_complaints)
    again = adaptive.route(demo_complaints, explain=False)
    scores = adaptive.correctness_.score(np.asarray([r.score_features for r in again]))
    expected = [adaptive.thresholds_.auto(s, demo_router.areas_.to_class(r.opd)) for s, r in zip(scores, again)]
    assert [r.auto_route for r in again] == expected


def test_once_fitted_the_score_is_refitted_every_few_decisions_not_on_each(demo_router, demo_complaints):
    adaptive = AdaptiveRouter(demo_router, prefit=True, thresholds=RecentThresholds(min_records=50, min_support=10),
                              correctness=CorrectnessModel(min_records=50, refit_every=5)).fit(
        demo_complaints, demo_complaints["opd"])
    truth = demo_complaints["opd"].where(np.arange(len(demo_complaints)) % 2 == 0, "Unit Lain")
    adaptive.observe(demo_complaints, truth, adaptive.route(demo_complaints, explain=False))
    fitted = adaptive.correctness_
    one = demo_complaints.iloc[:1]
    for _ in range(4):
        adaptive.observe(one, truth.iloc[:1], adaptive.route(one, explain=False))
    assert adaptive.correctness_ is fitted and len(adaptive.evidence_["correct"]) == len(demo_complaints) + 4
    adaptive.observe(one, truth.iloc[:1], adaptive.route(one, explain=False))
    assert adaptive.correctness_ is not fitted


def test_real_data_auto_routing_on_the_score_keeps_precision_the_next_month(surabaya_csv):
    """Surabaya 2022: router trained on Jan-Apr, May's decisions fed back weekly, June routed on the score."""
    import pandas as pd

    from pipeline.routing.router import OpdRouter

    df = pd.read_csv(surabaya_csv, dtype=str, keep_default_na=False)
    df["_t"] = pd.to_datetime(df["created_at"], errors="coerce")
    df = df[df["_t"].notna()].sort_values("_t", kind="stable").reset_index(drop=True)
    train = df[df["_t"] < "2022-05-01"]
    adaptive = AdaptiveRouter(OpdRouter().fit(train, train["opd"]), prefit=True, memory=DecisionMemory(),
                              thresholds=RecentThresholds(), correctness=CorrectnessModel()).fit(train, train["opd"])
    may = df[(df["_t"] >= "2022-05-01") & (df["_t"] < "2022-06-01")]
    for _, week in may.groupby((may["_t"] - may["_t"].min()).dt.days // 7):
        adaptive.observe(week, week["opd"], adaptive.route(week, explain=False))
    assert adaptive._scored
    june = df[(df["_t"] >= "2022-06-01") & (df["_t"] < "2022-07-01")]
    routed = adaptive.route(june, explain=False)
    auto = np.array([r.auto_route for r in routed])
    correct = np.array([r.opd == t for r, t in zip(routed, june["opd"])])
    assert auto.mean() > 0.2  # measured 0.31
    assert correct[auto].mean() >= 0.93  # measured 0.963
