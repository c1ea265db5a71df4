"""Why the router chose a unit: the word features that pushed a complaint toward it (tf-idf × weight)."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline

from pipeline.routing.features import WORD_BLOCK


def word_vocabulary(features: Pipeline) -> np.ndarray:
    """Names of the word block's features (stems and stem bigrams); they come first in the feature matrix."""
    union = features.named_steps["features"]
    word = dict(union.transformer_list)[WORD_BLOCK]
    return word.named_steps["tfidf"].get_feature_names_out()


def explanation_terms(Xf, i: int, coef: np.ndarray, vocab: np.ndarray, n_terms: int) -> list[tuple[str, float]]:
    """Up to ``n_terms`` word features of row ``i`` of ``Xf`` (CSR) with a positive contribution, largest first."""
    lo, hi = Xf.indptr[i], Xf.indptr[i + 1]
    idx, values = Xf.indices[lo:hi], Xf.data[lo:hi]
    word = idx < len(vocab)
    idx, values = idx[word], values[word]
    if idx.size == 0:
        return []
    contrib = values * coef[idx]
    order = np.argsort(-contrib)[:n_terms]
    order = order[contrib[order] > 0]
    return list(zip(vocab[idx[order]].tolist(), contrib[order].round(4).tolist()))
