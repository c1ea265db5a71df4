"""Auto-route thresholds re-estimated from recent decisions, with a confidence bound.

A threshold chosen once on the validation block drifts: a few months later the same confidence is
less often right. :class:`RecentThresholds` keeps the latest suggestions whose outcome is known
(the router's time-based hold-out after a retrain, then each decided complaint's suggestion as it
was made) and picks the lowest confidence at which the *lower Wilson bound* of the precision of the
suggestions at or above it reaches the target — so a small or lucky sample does not lower it.
A unit with enough recent suggestions that needs more confidence than the global threshold gets its
own, higher one; a unit whose recent suggestions never reach the target is not auto-routed at all.
(Lowering thresholds per unit, as the router's hold-out does, let errors through on later months.)
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import BaseEstimator

from pipeline.routing.memory import as_days


def wilson_lower(hits: np.ndarray, n: np.ndarray, z: float) -> np.ndarray:
    """Lower bound of the Wilson score interval for ``hits`` successes out of ``n``."""
    n = np.asarray(n, dtype=float)
    p = np.asarray(hits, dtype=float) / np.maximum(n, 1)
    denom = 1 + z * z / np.maximum(n, 1)
    centre = p + z * z / (2 * np.maximum(n, 1))
    spread = z * np.sqrt(p * (1 - p) / np.maximum(n, 1) + z * z / (4 * np.maximum(n, 1) ** 2))
    return np.where(n > 0, (centre - spread) / denom, 0.0)


def bounded_threshold(confidence: np.ndarray, correct: np.ndarray, target: float, z: float,
                      min_support: int) -> float | None:
    """Lowest confidence whose suggestions at or above it have lower Wilson bound ≥ ``target``."""
    if len(confidence) == 0:
        return None
    order = np.argsort(-confidence, kind="stable")
    conf = confidence[order]
    n = np.arange(1, len(conf) + 1)
    lower = wilson_lower(np.cumsum(correct[order]), n, z)
    ok = (lower >= target) & (n >= min_support)
    ok &= np.append(conf[:-1] > conf[1:], True)  # only cut between distinct confidence values
    idx = np.nonzero(ok)[0]
    return float(conf[idx.max()]) if idx.size else None


class RecentThresholds(BaseEstimator):
    """Global and per-unit auto-route thresholds from the ``window`` latest suggestions with a known outcome.

    Parameters
    ----------
    target_precision: precision the auto-routed suggestions must keep.
    z: width of the Wilson bound (1.0 ≈ one-sided 84 %, 1.64 ≈ 95 %).
    window: suggestions used (the most recent).
    min_support: suggestions at or above a threshold needed for it to count.
    unit_support: suggestions of one unit needed for it to get its own (stricter) threshold.
    min_records: suggestions needed before these thresholds replace the model's own (:attr:`ready`).
    """

    def __init__(self, target_precision: float = 0.95, z: float = 0.5, window: int = 3000, min_support: int = 30,
                 unit_support: int = 60, min_records: int = 200):
        self.target_precision = target_precision
        self.z = z
        self.window = window
        self.min_support = min_support
        self.unit_support = unit_support
        self.min_records = min_records

    def fit(self, confidence, correct, predicted, times=None):
        """Start from these suggestions (e.g. the router's hold-out after a retrain)."""
        self.confidence_ = np.asarray([], dtype=float)
        self.correct_ = np.asarray([], dtype=bool)
        self.predicted_ = np.asarray([], dtype=object)
        self.days_ = np.asarray([], dtype=float)
        return self.update(confidence, correct, predicted, times)

    def update(self, confidence, correct, predicted, times=None):
        """Add suggestions whose outcome is now known and re-estimate (between retrains)."""
        confidence = np.asarray(confidence, dtype=float)
        days = as_days(times) if times is not None else np.full(len(confidence), np.nan)
        self.confidence_ = np.concatenate([self.confidence_, confidence])
        self.correct_ = np.concatenate([self.correct_, np.asarray(correct, dtype=bool)])
        self.predicted_ = np.concatenate([self.predicted_, np.asarray([str(p) for p in predicted], dtype=object)])
        self.days_ = np.concatenate([self.days_, days])
        if len(self.confidence_) > self.window:
            keep = np.sort(np.argsort(np.nan_to_num(self.days_, nan=-np.inf), kind="stable")[-self.window:])
            for name in ("confidence_", "correct_", "predicted_", "days_"):
                setattr(self, name, getattr(self, name)[keep])
        self._estimate()
        return self

    def _estimate(self) -> None:
        conf, correct, pred = self.confidence_, self.correct_, self.predicted_
        self.threshold_ = bounded_threshold(conf, correct, self.target_precision, self.z, self.min_support)
        self.class_thresholds_: dict[str, float] = {}
        for unit in np.unique(pred):
            mask = pred == unit
            if mask.sum() < self.unit_support:
                continue
            t = bounded_threshold(conf[mask], correct[mask], self.target_precision, self.z, self.unit_support // 2)
            if t is None:
                self.class_thresholds_[str(unit)] = math.inf
            elif self.threshold_ is not None and t > self.threshold_:
                self.class_thresholds_[str(unit)] = t  # only ever stricter: a lucky unit sample must not lower it

    @property
    def ready(self) -> bool:
        """Enough evidence to decide auto-routing (else the model's own thresholds do)."""
        return len(self.confidence_) >= self.min_records

    def auto(self, confidence: float, cls: str) -> bool:
        """Whether a suggestion of router class ``cls`` with ``confidence`` is routed without a human."""
        threshold = self.class_thresholds_.get(str(cls), self.threshold_)
        return threshold is not None and confidence >= threshold

    def summary(self) -> dict:
        finite = {u: round(t, 4) for u, t in self.class_thresholds_.items() if math.isfinite(t)}
        return {"threshold": self.threshold_, "unit_thresholds": finite, "records": int(len(self.confidence_)),
                "units_held_back": sorted(u for u, t in self.class_thresholds_.items() if not math.isfinite(t))}
