"""Calibration and abstaining: softmax temperature, global and per-unit auto-route thresholds."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, y_index: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of the true class."""
    return fit_temperature_folds([scores], [y_index])


def fit_temperature_folds(scores: list[np.ndarray], y_index: list[np.ndarray]) -> float:
    """One temperature for several score matrices (folds may know different classes)."""
    total = sum(len(y) for y in y_index)

    def nll(log_t: float) -> float:
        t = float(np.exp(log_t))
        loss = 0.0
        for s, y in zip(scores, y_index):
            if len(y):
                p = softmax(s, t)
                loss -= np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None)).sum()
        return loss / total

    res = minimize_scalar(nll, bounds=(np.log(0.005), np.log(20.0)), method="bounded")
    return float(np.exp(res.x))


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, target: float, min_support: int) -> float | None:
    """Lowest confidence at which the suggestions at or above it reach ``target`` precision.

    Returns ``None`` when no threshold with at least ``min_support`` suggestions reaches it: the
    router then never auto-routes, which is the honest answer.
    """
    order = np.argsort(-confidence, kind="stable")
    conf = confidence[order]
    hits = np.cumsum(correct[order])
    n = np.arange(1, len(conf) + 1)
    precision = hits / n
    ok = np.nonzero((precision >= target) & (n >= min_support))[0]
    # only cut between distinct confidence values
    ok = [k for k in ok if k == len(conf) - 1 or conf[k] > conf[k + 1]]
    if not ok:
        return None
    return float(conf[max(ok)])


def choose_unit_thresholds(confidence: np.ndarray, correct: np.ndarray, predicted: np.ndarray, target: float,
                           min_support: int, global_threshold: float | None) -> dict[str, float]:
    """Per-unit thresholds below the global one, for units whose own suggestions reach ``target``.

    Every unit kept meets the target on its own, so the auto-routed suggestions as a whole do too,
    while reliable units (an ID-card office, street lights) are no longer held to the confidence
    that the hardest units need. ``min_support`` suggestions per unit keep this from chasing noise.
    """
    out: dict[str, float] = {}
    if not min_support:
        return out
    for unit in np.unique(predicted):
        mask = predicted == unit
        if mask.sum() < min_support:
            continue
        t = choose_threshold(confidence[mask], correct[mask], target, min_support)
        if t is not None and (global_threshold is None or t < global_threshold):
            out[str(unit)] = t
    return out
