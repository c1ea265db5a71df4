"""Routing features: the analysed document's tokens composed into one scikit-learn Pipeline."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from pipeline.document import Document
from pipeline.text import Stemmer, StopwordFilter
from pipeline.text.ngrams import CharNgramTfidf

WORD_BLOCK = "word"


def identity(tokens):
    """Analyzer for pre-tokenised input (module-level so the pipeline pickles)."""
    return tokens


def word_ngrams(tokens, n: int = 2):
    out = list(tokens)
    for size in range(2, n + 1):
        out.extend(" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1))
    return out


def bigrams(tokens):
    return word_ngrams(tokens, 2)


class DocumentTokens(TransformerMixin, BaseEstimator):
    """Documents (or plain texts, analysed here) → their slang-normalised tokens (:attr:`Document.norms`).

    The cleaning, PII masking, tokenising and slang mapping happen once per complaint, in the
    :class:`~pipeline.document.Document` every component shares.
    """

    def __init__(self, slang_dictionary_path: str | None = None):
        self.slang_dictionary_path = slang_dictionary_path

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        path = self.slang_dictionary_path
        out = []
        for x in X:
            if not isinstance(x, Document) or x.slang_dictionary_path != path:
                x = Document(x.original if isinstance(x, Document) else x, path)
            out.append(x.norms)
        return out


def build_text_features(
    *,
    min_df: int = 2,
    char_ngram_range: tuple[int, int] = (2, 5),
    max_char_features: int | None = 200_000,
    slang_dictionary_path: str | None = None,
) -> Pipeline:
    """document tokens (clean → mask PII → tokenise → slang) → {stop words → stem → word uni+bigrams, char n-grams}.

    Word n-grams run on stems (robust to affixes); character n-grams on the unstemmed, slang-
    normalised tokens (robust to typos and to words the stemmer does not know).
    """
    words = Pipeline(
        [
            ("stop", StopwordFilter()),
            ("stem", Stemmer()),
            ("tfidf", TfidfVectorizer(analyzer=bigrams, min_df=min_df, sublinear_tf=True, dtype=np.float32)),
        ]
    )
    chars = Pipeline(
        [("tfidf", CharNgramTfidf(ngram_range=char_ngram_range, min_df=min_df, max_features=max_char_features))]
    )
    return Pipeline(
        [
            ("tokens", DocumentTokens(slang_dictionary_path)),
            ("features", FeatureUnion([(WORD_BLOCK, words), ("char", chars)])),
        ]
    )
