"""Paired statistics of the evaluation gate: the vectorised figures agree with the reference definitions, and
the paired bootstrap / McNemar react to a real difference but not to noise."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score

from pipeline.lifecycle import paired


def outcomes(truth, pred, confidence=None):
    truth, pred = np.asarray(truth), np.asarray(pred)
    conf = np.asarray(confidence if confidence is not None else np.linspace(1, 0.5, len(truth)), dtype=float)
    return paired.Outcomes(truth=truth, pred=pred, top3=pred == truth, confidence=conf)


@pytest.mark.parametrize("seed", range(5))
def test_macro_f1_is_sklearns_over_the_units_in_the_truth(seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 6, 200)
    pred = np.where(rng.random(200) < 0.6, truth, rng.integers(-1, 8, 200))  # -1 and 6, 7: units not in the truth
    o = outcomes(truth, pred)
    idx = rng.integers(0, 200, 200)
    for rows in (np.arange(200), idx):
        t, p = truth[rows], pred[rows]
        assert paired.macro_f1(o, rows) == pytest.approx(
            f1_score(t, p, labels=sorted(set(t)), average="macro", zero_division=0))


def test_coverage_at_precision_cuts_only_between_different_confidences():
    conf = np.array([0.9, 0.8, 0.8, 0.5])
    correct = np.array([True, True, False, True])
    assert paired.coverage_at_precision(conf, correct, 0.95) == 0.25  # the two rows at 0.8 go together
    assert paired.coverage_at_precision(conf, correct, 0.6) == 1.0
    assert paired.coverage_at_precision(conf[:0], correct[:0], 0.9) == 0.0


def test_identical_models_have_a_zero_interval():
    o = outcomes([0, 1, 2, 1, 0], [0, 1, 1, 1, 2])
    assert paired.paired_interval(paired.top1, o, o) == (0.0, 0.0)


def test_interval_is_wide_on_five_rows_and_narrow_on_two_thousand():
    rng = np.random.default_rng(1)
    widths = {}
    for n in (5, 2000):
        truth = rng.integers(0, 4, n)
        a = outcomes(truth, np.where(rng.random(n) < 0.8, truth, -1))
        b = outcomes(truth, np.where(rng.random(n) < 0.8, truth, -1))
        lo, hi = paired.paired_interval(paired.top1, a, b, draws=500)
        assert lo <= paired.top1(b, np.arange(n)) - paired.top1(a, np.arange(n)) <= hi
        widths[n] = hi - lo
    assert widths[5] > 0.3 and widths[2000] < 0.06


def test_mcnemar_counts_the_discordant_rows():
    a = np.array([True] * 30 + [False] * 10 + [True] * 60)
    b = np.array([False] * 30 + [True] * 10 + [True] * 60)
    m = paired.mcnemar(a, b)
    assert m == {"n": 100, "candidate_only_correct": 10, "active_only_correct": 30, "p_value": m["p_value"]}
    assert m["p_value"] < 0.01
    assert paired.mcnemar(a, a)["p_value"] == 1.0
