"""The router plus what decided complaints teach it between retrains.

:class:`AdaptiveRouter` wraps a fitted :class:`~pipeline.routing.router.OpdRouter` and has the same
``route(X, explain, documents)`` interface, so the triage core uses it unchanged. Per complaint:

1. the model's calibrated probabilities (features computed once from the analysed Document);
2. blended with the votes of the nearest recently decided complaints (:mod:`pipeline.routing.memory`),
   so a unit first decided last week — unknown to the model — can already be suggested;
3. adjusted by the area components (``area_steps``: learned area-office rates per topic and area,
   then the tenant's handling policy), each of which says why in Bahasa Indonesia;
4. auto-routed by thresholds re-estimated from recent decisions (:mod:`pipeline.routing.thresholds`) once
   they rest on enough suggestions with a known outcome (before that, the model's own thresholds) — on the
   calibrated confidence, or, with a ``correctness`` model (:mod:`pipeline.routing.confidence`), on its
   P(suggestion correct) once it has been fitted on enough decided suggestions.

``observe`` feeds decided complaints in between retrains (memory and thresholds both learn from them).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from pipeline.document import Document
from pipeline.routing.confidence import CorrectnessModel, suggestion_features
from pipeline.routing.frame import as_frame, parse_times
from pipeline.routing.memory import DecisionMemory
from pipeline.routing.result import Routing
from pipeline.routing.router import OpdRouter
from pipeline.routing.thresholds import RecentThresholds


def outcomes(routings: Sequence[Routing], truth, times, areas) -> dict:
    """Suggestions with their outcome (the decided unit), as :class:`RecentThresholds` takes them (plus their
    ``features`` where a routing carries them — None elsewhere —, the evidence of a :class:`CorrectnessModel`)."""
    out = {"confidence": [r.confidence for r in routings], "correct": [r.opd == t for r, t in zip(routings, truth)],
           "predicted": [areas.to_class(r.opd or "") for r in routings], "times": times}
    if any(r.score_features is not None for r in routings):
        out["features"] = [None if r.score_features is None else list(r.score_features) for r in routings]
    return out


class AdaptiveRouter(BaseEstimator):
    """See module docstring. ``router`` is fitted here unless ``prefit`` (then it is used as given)."""

    def __init__(self, router: OpdRouter | None = None, memory: DecisionMemory | None = None,
                 thresholds: RecentThresholds | None = None, area_steps: Sequence | None = None,
                 memory_weight: float = 1.0, prefit: bool = False, correctness: CorrectnessModel | None = None):
        self.router = router
        self.memory = memory
        self.thresholds = thresholds
        self.correctness = correctness
        self.area_steps = area_steps
        self.memory_weight = memory_weight
        self.prefit = prefit

    # -- training --------------------------------------------------------------------------
    def fit(self, X, y, documents: Sequence[Document] | None = None, suggestions: dict | None = None):
        """``X``, ``y``: decided complaints (with ``created_at``), the newest of them fill the memory.
        ``suggestions``: what was suggested for decided complaints when they arrived (:func:`outcomes`), the
        thresholds' evidence besides the router's hold-out."""
        df = as_frame(X)
        y = np.asarray([str(v) for v in y], dtype=object)
        base = self.router if self.router is not None else OpdRouter()
        self.router_ = base if self.prefit else clone(base).fit(df, y)
        docs = list(documents) if documents is not None else Document.many(df["text"])
        self.memory_ = None
        if self.memory is not None:
            times = parse_times(df["created_at"])
            keep = np.argsort(times.to_numpy(dtype="datetime64[ns]").view("int64"), kind="stable")
            keep = np.sort(keep[-self.memory.max_items:])
            self.memory_ = clone(self.memory).fit(self._rows([docs[i] for i in keep]), self._classes(y[keep]),
                                                  times.iloc[keep])
        self.thresholds_ = None
        if self.thresholds is not None:
            held = getattr(self.router_, "holdout_", None) or {}
            self.thresholds_ = clone(self.thresholds).fit(held.get("confidence", []), held.get("correct", []),
                                                          held.get("predicted", []), held.get("time"))
            if suggestions is not None and len(suggestions["confidence"]):
                self.thresholds_.update(**{k: v for k, v in suggestions.items() if k != "features"})
        self.correctness_ = None
        self.evidence_ = {"features": [], "correct": [], "predicted": [], "times": []}
        if self.correctness is not None and self.thresholds is not None:
            self.correctness_ = clone(self.correctness)
            if suggestions is not None and "features" in suggestions:
                self._add_evidence(suggestions)
        self.area_steps_ = [clone(s).fit(self.router_, df, y, docs) for s in (self.area_steps or ())]
        return self

    def observe(self, X, y, routings: Sequence[Routing] | None = None,
                documents: Sequence[Document] | None = None) -> "AdaptiveRouter":
        """Decided complaints since the model was trained: remember them; ``routings`` (the suggestions made
        when they arrived) re-estimate the thresholds."""
        df = as_frame(X)
        y = np.asarray([str(v) for v in y], dtype=object)
        times = parse_times(df["created_at"])
        docs = list(documents) if documents is not None else Document.many(df["text"])
        if self.memory_ is not None and len(df):
            self.memory_.add(self._rows(docs), self._classes(y), times)
        if self.thresholds_ is not None and routings is not None and len(routings):
            seen = outcomes(routings, y, times, self.router_.areas_)
            if self.correctness_ is not None and "features" in seen:
                self._add_evidence(seen)
            if not self._scored:
                self.thresholds_.update(**{k: v for k, v in seen.items() if k != "features"})
        return self

    # -- the correctness score (pipeline/routing/confidence.py) ------------------------------
    @property
    def _scored(self) -> bool:
        """Auto-route decided on the correctness score (fitted on enough evidence), not on the confidence."""
        return self.correctness_ is not None and self.correctness_.ready

    def _add_evidence(self, seen: dict) -> None:
        """Keep the latest suggestions with features; refit the score and choose the thresholds on its
        out-of-fold values (a model never judges the suggestions it was fitted on)."""
        ev = self.evidence_ = dict(self.evidence_)  # copy-on-write: a route in another thread keeps its state
        has = [i for i, f in enumerate(seen["features"]) if f is not None]
        for key in ("features", "correct", "predicted", "times"):
            values = list(seen[key])
            ev[key] = list(ev[key]) + [values[i] for i in has]
        times = np.asarray(pd.to_datetime(pd.Series(ev["times"]), errors="coerce"), dtype="datetime64[ns]")
        keep = np.sort(np.argsort(np.nan_to_num(times.view("int64").astype(float), nan=-np.inf),
                                  kind="stable")[-self.thresholds.window:])
        for key in ev:
            ev[key] = [ev[key][i] for i in keep]
        self.pending_ = getattr(self, "pending_", 0) + len(has)
        if self._scored and self.pending_ < self.correctness.refit_every:
            return  # the service hears decisions one by one: refit every few, not on each
        self.pending_ = 0
        model = clone(self.correctness).fit(np.asarray(ev["features"], dtype=float), ev["correct"])
        if not model.ready:
            self.correctness_ = model
            return
        thresholds = clone(self.thresholds).fit(model.oof_, ev["correct"], ev["predicted"], times[keep])
        self.correctness_, self.thresholds_ = model, thresholds

    def _rows(self, docs):
        if not len(docs):  # no decided complaints yet: an empty matrix of the router's width
            return self.router_._features([Document("")]).tocsr()[:0]
        return self.router_._features(docs).tocsr()

    def _classes(self, y):
        return [self.router_.areas_.to_class(v) for v in y]

    # -- what the triage core and evaluation read -------------------------------------------
    @property
    def classes_(self):
        return self.router_.classes_

    @property
    def labels_(self):
        return sorted(set(self.router_.labels_) | set(getattr(self.memory_, "labels_", ())))

    @property
    def areas_(self):
        return self.router_.areas_

    @property
    def threshold_(self):
        """The global auto-route threshold: on the correctness score's scale once :attr:`_scored`."""
        return self.thresholds_.threshold_ if self.thresholds_ is not None else self.router_.threshold_

    # -- prediction ------------------------------------------------------------------------
    def route(self, X, explain: bool = True, documents: Sequence[Document] | None = None) -> list[Routing]:
        df = as_frame(X)
        if df.empty:
            return []
        docs = list(documents) if documents is not None else Document.many(df["text"])
        if len(docs) != len(df):
            raise ValueError(f"{len(docs)} documents for {len(df)} rows")
        router = self.router_
        Xf = router._features(docs).tocsr()
        proba, classes = router.probabilities(Xf), list(router.classes_)
        model_proba = proba
        reasons: list[list[str]] = [[] for _ in range(len(df))]
        if self.memory_ is not None and len(self.memory_):
            proba, classes = self._blend_memory(proba, classes, Xf, df, reasons)
        for step in self.area_steps_:
            proba, classes = step.adjust(proba, classes, df, docs, reasons)
        out = router._routings(df, None, explain=explain, Xf=Xf, docs=docs, proba=proba, classes=classes)
        chosen = [router.areas_.to_class(r.opd or "") for r in out]
        scores = None
        if self.correctness_ is not None:
            feats = suggestion_features([r.confidence for r in out],
                                        [r.top_k[1].p if len(r.top_k) > 1 else 0.0 for r in out],
                                        model_proba, router.classes_, chosen)
            for r, f in zip(out, feats):
                r.score_features = [round(float(v), 6) for v in f]
            scores = self.correctness_.score(feats) if self._scored else None
        for i, (r, why) in enumerate(zip(out, reasons)):
            r.reasons.extend(why)
            if self.thresholds_ is not None and self.thresholds_.ready and r.opd is not None:
                value = r.confidence if scores is None else float(scores[i])
                r.auto_route = self.thresholds_.auto(value, chosen[i])
        return out

    def predict(self, X):
        return np.asarray([r.opd for r in self.route(X, explain=False)], dtype=object)

    def _blend_memory(self, proba, classes, Xf, df, reasons):
        recall = self.memory_.transform(Xf, parse_times(df["created_at"]))
        new = [c for c in recall.classes if c not in set(classes)]
        classes = classes + new
        proba = np.hstack([proba, np.zeros((len(proba), len(new)))])
        index = {c: j for j, c in enumerate(classes)}
        cols = [index[c] for c in recall.classes]
        # trust the neighbours as far as they are close, recent and agree among themselves
        agreement = recall.votes.max(axis=1) if recall.votes.size else np.zeros(len(proba))
        alpha = np.clip(self.memory_weight * recall.strength * agreement, 0.0, 1.0)[:, None]
        votes = np.zeros_like(proba)
        votes[:, cols] = recall.votes
        blended = (1 - alpha) * proba + alpha * votes
        best = blended.argmax(axis=1)
        for i, j in enumerate(best):
            n = int(recall.support[i, cols.index(j)]) if j in cols else 0
            if n >= 2 and alpha[i, 0] * votes[i, j] >= 0.05:
                reasons[i].append(f"mirip {n} pengaduan yang baru-baru ini didisposisikan ke unit ini")
        return blended, classes
