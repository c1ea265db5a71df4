"""Why the router chose a unit: the word features that pushed a complaint toward it (tf-idf × weight).

The features are stems and stem bigrams ("lubang", "hubung", "jalan poros"); :func:`surface_words`
gives, for each, the words of the complaint it stands for as the resident wrote them ("berlubang",
"hubungi", "jln poros"), which is what the operator is shown.
"""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline

from pipeline.document import Document

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


def class_weights(coef: np.ndarray) -> np.ndarray:
    """One weight row per class: a two-class LinearSVC keeps only the row of ``classes_[1]`` (class 0 is its negation)."""
    return np.vstack([-coef[0], coef[0]]) if coef.shape[0] == 1 else coef


def explanation_terms_many(Xf, rows, class_rows, weights: np.ndarray, vocab: np.ndarray,
                           n_terms: int) -> list[list[tuple[str, float]]]:
    """:func:`explanation_terms` of many rows at once: row ``rows[k]`` of ``Xf`` (CSR) against ``weights[class_rows[k]]``.

    Why: per-row numpy calls on a handful of values cost more than the work. The products and roundings are
    the same numpy operations on the same values; only the order among equal contributions may differ (numpy's
    default sort is not stable). Both orders put the positive contributions first, largest first, so they agree
    unless two equal positive contributions meet within a row's first ``n_terms`` (features only ever seen
    together in training have equal weights and values: about one row in twenty). Those rows are sorted as
    :func:`explanation_terms` sorts them: ``np.argsort`` of a fresh array of the same negated contributions.
    """
    rows = np.asarray(rows, dtype=np.intp)
    class_rows = np.asarray(class_rows, dtype=np.intp)
    out: list[list[tuple[str, float]]] = [[] for _ in range(len(rows))]
    if not len(rows):
        return out
    Xf = Xf[:, :len(vocab)]  # the word block (scipy keeps each row's entries in their order); n-grams are most entries
    starts, ends = Xf.indptr[rows].astype(np.intp), Xf.indptr[rows + 1].astype(np.intp)
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return out
    # every stored entry of the rows, in row order and, within a row, in the CSR order explanation_terms sees
    owner = np.repeat(np.arange(len(rows), dtype=np.intp), lengths)
    pos = np.arange(total, dtype=np.intp) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    idx, values = Xf.indices[pos], Xf.data[pos]
    word = idx < len(vocab)
    owner, idx, values = owner[word], idx[word], values[word]
    contrib = values * weights[class_rows[owner], idx]
    bounds = np.searchsorted(owner, np.arange(len(rows) + 1))  # row k's word entries: bounds[k]:bounds[k + 1]

    sel = np.flatnonzero(contrib > 0)
    # by row, then largest first: one float sort, then the (row, rank) keys, which are distinct (np.lexsort is
    # several times slower); equal contributions end up side by side, in some order — their rows are redone below
    by_value = np.argsort(-contrib[sel])
    value_rank = np.empty(len(sel), dtype=np.int64)
    value_rank[by_value] = np.arange(len(sel), dtype=np.int64)
    sel = sel[np.argsort(owner[sel].astype(np.int64) * len(sel) + value_rank)]
    s_owner, s_contrib = owner[sel], contrib[sel]
    rank = np.arange(len(sel)) - np.searchsorted(s_owner, s_owner, side="left")
    tie = (s_owner[1:] == s_owner[:-1]) & (s_contrib[1:] == s_contrib[:-1]) & (rank[:-1] < n_terms)
    tied = np.zeros(len(rows), dtype=bool)
    tied[s_owner[1:][tie]] = True
    keep = (rank < n_terms) & ~tied[s_owner]
    names, rounded = vocab[idx[sel[keep]]].tolist(), s_contrib[keep].round(4).tolist()
    for k, name, value in zip(s_owner[keep].tolist(), names, rounded):
        out[k].append((name, value))
    for k in np.flatnonzero(tied).tolist():
        lo, hi = bounds[k], bounds[k + 1]
        row_contrib, row_idx = contrib[lo:hi], idx[lo:hi]
        order = np.argsort(-row_contrib)[:n_terms]
        order = order[row_contrib[order] > 0]
        out[k] = list(zip(vocab[row_idx[order]].tolist(), row_contrib[order].round(4).tolist()))
    return out


def surface_words(doc: Document, terms) -> dict[str, str]:
    """Explanation term → the complaint's own words for it (first occurrence, lower-case, from the original text).

    Masked placeholders (``[telepon]``, ``[nik]``) are left out — their original is the personal data the
    mask hides — and so are terms with no word in the text: there is nothing to show.
    """
    return doc.first_term_words([t for t, _ in terms if not t.startswith("[")])
