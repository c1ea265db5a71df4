"""A second-stage score for auto-routing: how likely a suggestion is right, learned from decided complaints.

The calibrated top probability alone ranks right and wrong suggestions only so well: at 95 % precision a
single threshold on it covers about a third of the complaints. What the suggestion looked like when it was
made says more — how far ahead of the runner-up it was, whether the model alone (before the memory of recent
decisions was blended in) agreed and how sure it was. :class:`CorrectnessModel` is a small logistic
regression over those features (:func:`suggestion_features`, all known at suggestion time), fitted on the
suggestions of recently decided complaints and their outcome, and refitted as decisions arrive.

The auto-route threshold is then chosen on this score (:class:`~pipeline.routing.thresholds.RecentThresholds`)
— but on *out-of-fold* scores of the same evidence (each time block scored by a model fitted without it), so
the threshold does not rest on the model's own in-sample optimism. Predicting costs one dot product per
complaint.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

FEATURES = ("confidence", "margin", "log_ratio", "model_top", "model_entropy", "model_agrees", "model_p_chosen")


def _logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def suggestion_features(confidence, runner_up, model_proba: np.ndarray, model_classes, chosen) -> np.ndarray:
    """One row of :data:`FEATURES` per suggestion.

    ``confidence``, ``runner_up``: probabilities of the suggested unit and the next one (after any blending);
    ``model_proba`` (n × classes) over ``model_classes``: the router's own calibrated probabilities;
    ``chosen``: the router class of each suggestion.
    """
    conf = np.asarray(confidence, dtype=float)
    second = np.asarray(runner_up, dtype=float)
    proba = np.asarray(model_proba, dtype=float)
    index = {c: j for j, c in enumerate(model_classes)}
    cols = np.array([index.get(c, -1) for c in chosen], dtype=int)
    rows = np.arange(len(conf))
    p_chosen = np.where(cols >= 0, proba[rows, np.maximum(cols, 0)], 0.0) if len(conf) else np.zeros(0)
    entropy = -(proba * np.log(np.clip(proba, 1e-12, 1.0))).sum(axis=1) if len(conf) else np.zeros(0)
    agrees = (proba.argmax(axis=1) == cols).astype(float) if len(conf) else np.zeros(0)
    return np.column_stack([_logit(conf), conf - second, _logit(conf) - _logit(second), _logit(proba.max(axis=1))
                            if len(conf) else np.zeros(0), entropy, agrees, _logit(p_chosen)])


class CorrectnessModel(BaseEstimator):
    """P(suggestion correct) from :func:`suggestion_features`.

    Parameters
    ----------
    C: inverse regularisation of the logistic regression.
    min_records: suggestions with a known outcome needed before the model is fitted (else :meth:`score` is the
        plain confidence, and :attr:`ready` is false).
    folds: consecutive time blocks for the out-of-fold scores the thresholds are chosen on.
    refit_every: new decided suggestions between two refits once fitted (a refit costs ≈ 0.1 CPU s).
    """

    def __init__(self, C: float = 1.0, min_records: int = 200, folds: int = 5, refit_every: int = 25):
        self.C = C
        self.min_records = min_records
        self.folds = folds
        self.refit_every = refit_every

    def fit(self, features, correct):
        """``features`` in time order (oldest first); sets :attr:`oof_` (out-of-fold scores of the same rows)."""
        X = np.asarray(features, dtype=float).reshape(-1, len(FEATURES))
        y = np.asarray(correct, dtype=bool)
        self.n_records_ = len(y)
        self.model_ = self._fit(X, y)
        self.oof_ = self._out_of_fold(X, y) if self.model_ is not None else None
        return self

    @property
    def ready(self) -> bool:
        return getattr(self, "model_", None) is not None

    def _fit(self, X, y):
        if len(y) < self.min_records or y.all() or not y.any():
            return None
        mean, scale = X.mean(axis=0), X.std(axis=0)
        scale[scale == 0] = 1.0
        lr = LogisticRegression(C=self.C, max_iter=1000).fit((X - mean) / scale, y)
        return mean, scale, lr.coef_[0].copy(), float(lr.intercept_[0])

    def _out_of_fold(self, X, y) -> np.ndarray:
        """Each time block scored by a model fitted on the other blocks (a block lacking a fit keeps its
        confidence-only score: the sigmoid of the first feature)."""
        out = _sigmoid(X[:, 0])
        bounds = np.linspace(0, len(y), max(2, self.folds) + 1).round().astype(int)
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            rest = np.r_[0:lo, hi:len(y)]
            fitted = self._fit(X[rest], y[rest]) if len(rest) >= 2 else None
            if fitted is not None:
                out[lo:hi] = _apply(fitted, X[lo:hi])
        return out

    def score(self, features) -> np.ndarray:
        X = np.asarray(features, dtype=float).reshape(-1, len(FEATURES))
        if not self.ready:
            return _sigmoid(X[:, 0])
        return _apply(self.model_, X)


def _apply(fitted, X) -> np.ndarray:
    mean, scale, coef, intercept = fitted
    return _sigmoid(((X - mean) / scale) @ coef + intercept)


def _sigmoid(z) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))
