"""A memory of recently decided complaints: nearest neighbours over the router's TF-IDF features.

Between two retrains the router does not know what operators decided last week: a new service or a
new kind of complaint keeps being routed wrongly until the next model. The memory holds the latest
decided complaints (their feature rows and the unit they went to) and, for a new complaint, votes
with its most similar neighbours, each weighted by similarity and by how recent the decision is.
:class:`~pipeline.routing.adaptive.AdaptiveRouter` blends these votes with the model's
probabilities; a unit the model has never seen is reachable as soon as it has been decided.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.preprocessing import normalize

DAY = 86400.0


def as_days(times) -> np.ndarray:
    """Timestamps (datetime64 / pandas / None) as float days since the epoch; missing → NaN."""
    arr = np.asarray(times, dtype="datetime64[ns]")
    out = arr.astype("int64").astype(float) / (DAY * 1e9)
    out[np.isnat(arr)] = np.nan
    return out


@dataclass
class Recall:
    """What the memory says about a batch: vote shares over ``classes`` and how much to trust them."""

    classes: list[str]
    votes: np.ndarray  # (n, len(classes)), rows sum to 1 where any neighbour was close enough, else 0
    strength: np.ndarray  # (n,) in [0, 1]: similarity × recency of the closest kept neighbour
    support: np.ndarray  # (n, len(classes)): number of kept neighbours per class


class DecisionMemory(BaseEstimator):
    """k nearest decided complaints, recency-weighted.

    Parameters
    ----------
    k: neighbours consulted per complaint.
    min_similarity: cosine similarity below which a decided complaint is not a neighbour.
    half_life_days: a decision this much older than the complaint counts half.
    max_items: decisions kept (the most recent ones).
    """

    def __init__(self, k: int = 20, min_similarity: float = 0.25, half_life_days: float | None = 30.0,
                 max_items: int = 1500):
        self.k = k
        self.min_similarity = min_similarity
        self.half_life_days = half_life_days
        self.max_items = max_items

    def fit(self, X, y, times=None):
        """``X``: feature rows (CSR) of decided complaints, ``y``: the router class each was decided to."""
        self.matrix_ = sp.csr_matrix((0, X.shape[1]), dtype=np.float32)
        self.labels_ = np.asarray([], dtype=object)
        self.days_ = np.asarray([], dtype=float)
        return self.add(X, y, times)

    def add(self, X, y, times=None):
        """Remember more decisions (between retrains); the oldest beyond ``max_items`` are forgotten."""
        y = np.asarray([str(v) for v in y], dtype=object)
        if X.shape[0] != len(y):
            raise ValueError(f"{X.shape[0]} feature rows but {len(y)} labels")
        days = as_days(times) if times is not None else np.full(len(y), np.nan)
        rows = sp.csr_matrix(X, dtype=np.float32)
        rows = normalize(rows) if rows.shape[0] else rows
        matrix = sp.vstack([self.matrix_, rows], format="csr")
        labels = np.concatenate([self.labels_, y])
        days = np.concatenate([self.days_, days])
        if len(labels) > self.max_items:
            keep = np.argsort(np.nan_to_num(days, nan=-np.inf), kind="stable")[-self.max_items:]
            keep.sort()
            matrix, labels, days = matrix[keep], labels[keep], days[keep]
        self.matrix_, self.labels_, self.days_ = matrix, labels, days
        self.classes_ = sorted(set(labels.tolist()))
        return self

    def __len__(self) -> int:
        return len(getattr(self, "labels_", ()))

    def transform(self, X, times=None) -> Recall:
        """Neighbour votes for feature rows ``X``; ``times`` (when each complaint arrived) age the decisions."""
        n = X.shape[0]
        classes = list(getattr(self, "classes_", []))
        votes = np.zeros((n, len(classes)))
        support = np.zeros((n, len(classes)))
        strength = np.zeros(n)
        if n == 0 or not len(self):
            return Recall(classes, votes, strength, support)
        sims = (normalize(sp.csr_matrix(X, dtype=np.float32)) @ self.matrix_.T).toarray()
        decay = self._decay(sims.shape, times)
        index = {c: j for j, c in enumerate(classes)}
        label_idx = np.array([index[c] for c in self.labels_])
        k = min(self.k, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for i in range(n):
            nb = top[i][sims[i, top[i]] >= self.min_similarity]
            if nb.size == 0:
                continue
            w = sims[i, nb] * decay[i, nb]
            np.add.at(votes[i], label_idx[nb], w)
            np.add.at(support[i], label_idx[nb], 1)
            strength[i] = float(w.max())
            votes[i] /= votes[i].sum()
        return Recall(classes, votes, strength, support)

    def _decay(self, shape, times) -> np.ndarray:
        if not self.half_life_days:
            return np.ones(shape)
        known = self.days_[~np.isnan(self.days_)]
        now = as_days(times) if times is not None else np.full(shape[0], np.nan)
        if known.size:
            now = np.where(np.isnan(now), known.max(), now)
        age = np.clip(now[:, None] - self.days_[None, :], 0, None)
        return np.power(0.5, np.nan_to_num(age, nan=0.0) / float(self.half_life_days))
