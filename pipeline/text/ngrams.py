"""Character n-gram TF-IDF over tokens, with n-grams cached per distinct token (routing and screening share it)."""

from __future__ import annotations

from functools import lru_cache, partial
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


@lru_cache(maxsize=1 << 18)
def token_char_ngrams(token: str, min_n: int, max_n: int) -> tuple[str, ...]:
    """Character n-grams of one space-padded token, exactly as scikit-learn's ``char_wb``."""
    w = f" {token} "
    grams = []
    for n in range(min_n, max_n + 1):
        offset = 0
        grams.append(w[offset : offset + n])
        while offset + n < len(w):
            offset += 1
            grams.append(w[offset : offset + n])
        if offset == 0:  # a short word counts once
            break
    return tuple(grams)


def char_wb_ngrams(tokens, min_n: int = 2, max_n: int = 5):
    """``char_wb`` n-grams from tokens, cached per token: words repeat, so this is the fast path."""
    out: list[str] = []
    for t in tokens:
        out.extend(token_char_ngrams(t, min_n, max_n))
    return out


def index_tokens(token_lists) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Documents as (distinct tokens in first-occurrence order, each token's position among them, CSR row pointers).

    The loops run in C (``dict.fromkeys``, ``map``); Python touches each distinct token once.
    """
    lists = token_lists if isinstance(token_lists, list) else list(token_lists)
    flat = list(chain.from_iterable(lists))
    ids = {t: j for j, t in enumerate(dict.fromkeys(flat))}
    indptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)), out=indptr[1:])
    positions = np.fromiter(map(ids.__getitem__, flat), dtype=np.int64, count=len(flat))
    return list(ids), positions, indptr


class CharNgramTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF over ``char_wb`` n-grams of tokens, with feature ids cached per token.

    Fitting delegates to scikit-learn's ``TfidfVectorizer``; ``transform`` gives the same matrix but
    looks each distinct token's n-grams up once per process instead of once per occurrence, which
    makes it several times faster on complaint text, where a few thousand words make up most tokens.
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2, max_features: int | None = None,
                 sublinear_tf: bool = True):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf

    def fit(self, X, y=None):
        lo, hi = self.ngram_range
        self.vectorizer_ = TfidfVectorizer(
            analyzer=partial(char_wb_ngrams, min_n=lo, max_n=hi), min_df=self.min_df,
            max_features=self.max_features, sublinear_tf=self.sublinear_tf, dtype=np.float32,
        ).fit(X)
        self.__dict__.pop("_cache", None)
        self.token_ids_ = self._token_table(X)
        return self

    def _token_table(self, X) -> tuple[str, np.ndarray, np.ndarray] | None:
        """The n-gram feature ids of every training token, shipped with the model: a loaded model starts
        with the cache warm for its own vocabulary. Compact (one string, two arrays) so it loads fast."""
        tokens = sorted({t for tokens in X for t in tokens})
        if not tokens or any("\n" in t for t in tokens):
            return None
        scratch: dict = {}
        grams = [self._ids(t, scratch) for t in tokens]
        indptr = np.zeros(len(grams) + 1, dtype=np.int64)
        np.cumsum([len(g) for g in grams], out=indptr[1:])
        return "\n".join(tokens), indptr, np.concatenate(grams).astype(np.int32)

    def _warm_cache(self) -> dict:
        cache = self.__dict__.get("_cache")
        if cache is None:
            cache = self._cache = {}
            table = getattr(self, "token_ids_", None)
            if table is not None:
                joined, indptr, ids = table
                cache.update(zip(joined.split("\n"), np.split(ids, indptr[1:-1])))
        return cache

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features=None):
        return self.vectorizer_.get_feature_names_out()

    def _ids(self, token: str, cache: dict) -> np.ndarray:
        if len(cache) > 500_000:
            cache.clear()
        vocab = self.vectorizer_.vocabulary_
        lo, hi = self.ngram_range
        ids = np.fromiter((vocab[g] for g in token_char_ngrams(token, lo, hi) if g in vocab), dtype=np.int32)
        cache[token] = ids
        return ids

    def transform(self, X):
        """Count matrix = (documents × distinct tokens) @ (distinct tokens × n-grams), then TF-IDF.

        Python touches each token once (a dict lookup); the n-gram counting is one sparse product.
        """
        unique, positions, indptr = index_tokens(X)
        return self.transform_indexed(unique, positions, indptr)

    def transform_indexed(self, unique: list[str], positions: np.ndarray, indptr: np.ndarray):
        """:meth:`transform` of documents given as distinct tokens and, per document, positions into them."""
        n_features = len(self.vectorizer_.vocabulary_)
        cache = self._warm_cache()
        docs = sp.csr_matrix((np.ones(len(positions), dtype=np.float32), positions.astype(np.int32, copy=False),
                              indptr), shape=(len(indptr) - 1, len(unique)))
        # a word repeated in a document becomes one entry holding its count: the product below then walks each
        # word's n-grams once per document instead of once per occurrence (integer counts, exact in float32 far
        # beyond any document's length, so the same sums)
        docs.sum_duplicates()
        grams = [g if (g := cache.get(t)) is not None else self._ids(t, cache) for t in unique]
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        token_ptr = np.zeros(len(grams) + 1, dtype=np.int64)
        np.cumsum(lengths, out=token_ptr[1:])
        ids = np.concatenate(grams) if grams else np.zeros(0, dtype=np.int32)
        # (n-grams × tokens) @ (tokens × documents), transposed back: the conversion to CSR sorts each row's
        # n-grams in one linear pass, where the direct product's unsorted rows needed a sort per row (same
        # integer counts, so the same matrix; about half the time)
        grams_of = sp.csc_matrix((np.ones(len(ids), dtype=np.float32), ids, token_ptr),
                                 shape=(n_features, len(unique))).tocsr()
        counts = (grams_of @ docs.T.tocsr()).T.tocsr()
        counts.sum_duplicates()  # a no-op check: the product has one entry per (document, n-gram)
        if self.sublinear_tf:
            np.log(counts.data, out=counts.data)
            counts.data += 1
        counts.data *= self.vectorizer_.idf_.astype(np.float32)[counts.indices]
        return normalize(counts, norm="l2", copy=False)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_cache", None)
        return state
