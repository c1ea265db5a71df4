"""Cross-validation of the pair model that neither leaks nor looks ahead.

Pairs that share a complaint are *linked* (a complaint re-sent three times gives three pairs; a model
that saw two of them would find the third easy), so folds are made of whole connected components of
the pair graph. Components are ordered by their first complaint's time and cut into ``blocks``
contiguous blocks of about equal size; each block is scored by a model fitted on the other blocks.
Intervals: percentile bootstrap over components (the unit that was sampled), 95 %.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd


def components(id_new: pd.Series, id_old: pd.Series) -> np.ndarray:
    """Connected-component label of each pair (pairs sharing a complaint share a label)."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in zip(id_new, id_old):
        parent[find(a)] = find(b)
    return np.array([find(a) for a in id_new])


def time_blocks(comp: np.ndarray, time: np.ndarray, blocks: int = 5) -> np.ndarray:
    """Block number of each pair: components in time order, cut into ``blocks`` parts of ~equal pair count."""
    frame = pd.DataFrame({"comp": comp, "time": time})
    first = frame.groupby("comp")["time"].min().sort_values(kind="stable")
    sizes = frame["comp"].value_counts().reindex(first.index)
    share = sizes.cumsum().to_numpy() / len(frame)
    block_of = dict(zip(first.index, np.minimum((share * blocks - 1e-9).astype(int), blocks - 1)))
    return np.array([block_of[c] for c in comp])


def out_of_fold(X: pd.DataFrame, blocks: np.ndarray, fit: Callable, predict: Callable) -> np.ndarray:
    """Score of each pair by the model ``fit`` on the other blocks (``predict(model, rows)`` → scores)."""
    oof = np.zeros(len(X))
    for b in np.unique(blocks):
        test = blocks == b
        model = fit(X[~test])
        oof[test] = predict(model, X[test])
    return oof


def precision_recall(flag: np.ndarray, label: np.ndarray) -> tuple[float, float]:
    tp = int((flag & (label == 1)).sum())
    return tp / max(int(flag.sum()), 1), tp / max(int((label == 1).sum()), 1)


def bootstrap_interval(flag: np.ndarray, label: np.ndarray, comp: np.ndarray, n: int = 2000,
                       seed: int = 0) -> tuple[tuple[float, float], tuple[float, float]]:
    """95 % percentile intervals of (precision, recall), resampling whole components."""
    codes, inverse = np.unique(comp, return_inverse=True)
    tp = np.bincount(inverse, weights=(flag & (label == 1)).astype(float), minlength=len(codes))
    fl = np.bincount(inverse, weights=flag.astype(float), minlength=len(codes))
    pos = np.bincount(inverse, weights=(label == 1).astype(float), minlength=len(codes))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(codes), size=(n, len(codes)))
    counts = np.stack([np.bincount(d, minlength=len(codes)) for d in draws])
    p = (counts @ tp) / np.maximum(counts @ fl, 1)
    r = (counts @ tp) / np.maximum(counts @ pos, 1)
    q = (2.5, 97.5)
    return tuple(np.percentile(p, q).round(3)), tuple(np.percentile(r, q).round(3))
