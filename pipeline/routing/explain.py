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


def surface_words(doc: Document, terms) -> dict[str, str]:
    """Explanation term → the complaint's own words for it (first occurrence, lower-case, from the original text).

    Masked placeholders (``[telepon]``, ``[nik]``) are left out — their original is the personal data the
    mask hides — and so are terms with no word in the text: there is nothing to show.
    """
    found = doc.first_term_spans([t for t, _ in terms if not t.startswith("[")])
    out = {}
    for label, spans in found.items():
        words = []
        for start, end in spans:
            start, end = doc.original_span(start, end)
            words.append(doc.original[start:end].lower())
        out[label] = " ".join(words)
    return out
