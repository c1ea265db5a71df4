"""Choosing the screening model's threshold on out-of-fold scores, for the F1 of the whole decision.

The threshold is searched for the screener's *decision* (rules + model by register), not for the
model alone: the rules already catch much, so the model's best threshold on its own is the wrong
one. The middle of the near-best plateau is taken because it is more stable than the single best point.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

GRID = np.round(np.arange(0.25, 0.701, 0.025), 3)
PLATEAU = 0.002


def plateau_middle(scores: Sequence[float], tolerance: float = PLATEAU) -> int:
    """Index of the middle of the scores within ``tolerance`` of the best one."""
    near = [i for i, f in enumerate(scores) if f >= max(scores) - tolerance]
    return near[len(near) // 2]


def out_of_fold_scores(fit_model: Callable, texts: list[str], target: np.ndarray, extra: list[str], cv: int,
                       random_state: int) -> np.ndarray:
    """Model probabilities for each text from a model that did not see it (``extra``: always-negative texts)."""
    oof = np.zeros(len(texts))
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    for tr, va in folds.split(texts, target):
        held = fit_model([texts[i] for i in tr] + extra, np.r_[target[tr], np.zeros(len(extra), int)])
        oof[va] = held.predict_proba([texts[i] for i in va])[:, 1]
    return oof


def search_threshold(decide: Callable[[int, float, float], bool], oof: np.ndarray, target: np.ndarray,
                     grid: np.ndarray = GRID) -> tuple[float, float]:
    """(threshold, F1) maximising the F1 of ``decide(row, score, threshold)`` over ``grid`` (plateau middle)."""
    scores = [f1_score(target, [decide(k, float(oof[k]), float(t)) for k in range(len(oof))]) for t in grid]
    best = plateau_middle(scores)
    return float(grid[best]), float(scores[best])
