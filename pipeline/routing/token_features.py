"""The routing features computed per distinct token: the same matrix as the fitted Pipeline, faster.

The fitted pipeline (:func:`~pipeline.routing.features.build_text_features`) walks every token of
every document several times in Python (stop words, stems, word n-grams, char n-grams). Here each
*distinct* token is looked at once per process — dropped or not, its stem's word feature, its
char n-gram feature ids — and a batch of documents becomes arrays:

- word counts: unigram feature of each kept token's stem; bigram feature of each consecutive pair
  of kept tokens, found by number: a pair's code is ``id(a) * n + id(b)``, looked up in a sorted
  array of every way a fitted term splits into two word strings around a space (a stem may hold a
  space, so ``"a b c"`` can be ``"a b"`` + ``"c"`` or ``"a"`` + ``"b c"``; halves that are no feature get
  ids of their own);
- char counts: (documents × distinct tokens) @ (distinct tokens × n-grams), as
  :class:`~pipeline.text.ngrams.CharNgramTfidf` does.

The counts go through the fitted vectorisers' own TF-IDF steps, so the result is the same matrix,
value for value. :meth:`TokenFeatures.of` returns ``None`` for any pipeline it does not recognise
(the caller then uses the pipeline itself).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from pipeline.routing.features import WORD_BLOCK, DocumentTokens, bigrams
from pipeline.text import lexicon
from pipeline.text.ngrams import CharNgramTfidf, index_tokens
from pipeline.text.tokens import Stemmer, StopwordFilter, seed_stem_cache, stem_token

DROPPED = -2  # a stop word or bare number: not in the word sequence at all
UNKNOWN = -1  # kept, but its stem is no word feature


class TokenFeatures:
    """Fast ``transform`` of a fitted routing feature pipeline (see module docstring)."""

    def __init__(self, tokens: DocumentTokens, stop: StopwordFilter, stemmer: Stemmer, words: TfidfVectorizer,
                 chars: CharNgramTfidf):
        self.tokens, self.stop, self.stemmer, self.words, self.chars = tokens, stop, stemmer, words, chars
        vocab = words.vocabulary_
        self.n_words = len(vocab)
        # ids of word strings: the features, then the halves of spaced features that are no feature
        pieces = sorted({part for term in vocab for part in _halves(term) if part not in vocab})
        self.ids = {**vocab, **{p: self.n_words + k for k, p in enumerate(pieces)}}
        self.base = len(self.ids)
        codes, fids = [], []
        for term, fid in vocab.items():
            for a, b in _splits(term):
                codes.append(self.ids[a] * self.base + self.ids[b])
                fids.append(fid)
        order = np.argsort(np.asarray(codes, dtype=np.int64), kind="stable")
        self.bigram_codes = np.asarray(codes, dtype=np.int64)[order]
        self.bigram_fids = np.asarray(fids, dtype=np.int64)[order]
        self.stop_words = lexicon.stop_words() | frozenset(stop.extra_stop_words)
        self.word_fid: dict[str, int] = {}  # token → DROPPED, UNKNOWN or its stem's id
        # the explanation and duplicate search stem the same words: give them the model's stems too
        seed_stem_cache(getattr(stemmer, "stems_", {}))

    @classmethod
    def of(cls, features) -> "TokenFeatures | None":
        """The fast path for a fitted routing pipeline, or ``None`` when its shape is not the known one."""
        try:
            (_, tokens), (_, union) = features.steps
            blocks = dict(union.transformer_list)
            word, chars = blocks[WORD_BLOCK], blocks["char"]
            (_, stop), (_, stemmer), (_, vec) = word.steps
            (_, char_tfidf), = chars.steps
        except (AttributeError, KeyError, TypeError, ValueError):
            return None
        ok = (isinstance(tokens, DocumentTokens) and isinstance(union, FeatureUnion) and len(blocks) == 2
              and [n for n, _ in union.transformer_list] == [WORD_BLOCK, "char"]
              and union.transformer_weights is None and isinstance(word, Pipeline)
              and type(stop) is StopwordFilter and type(stemmer) is Stemmer and type(vec) is TfidfVectorizer
              and vec.analyzer is bigrams and type(char_tfidf) is CharNgramTfidf
              and hasattr(vec, "vocabulary_") and hasattr(char_tfidf, "vectorizer_"))
        if not ok:
            return None
        return cls(tokens, stop, stemmer, vec, char_tfidf)

    def _fid(self, token: str) -> int:
        if token in self.stop_words or (self.stop.drop_numbers and token.isdigit()):
            fid = DROPPED
        else:
            known = getattr(self.stemmer, "stems_", {})
            stem = known.get(token) or stem_token(token)
            fid = self.ids.get(stem, UNKNOWN)
        if len(self.word_fid) > 500_000:
            self.word_fid.clear()
        self.word_fid[token] = fid
        return fid

    def transform(self, docs):
        """The feature matrix (CSR) of analysed documents, equal to ``features.transform(docs)``."""
        token_lists = self.tokens.transform(docs)
        n = len(token_lists)
        unique, pos, indptr = index_tokens(token_lists)
        cache = self.word_fid
        fids = np.fromiter((f if (f := cache.get(t)) is not None else self._fid(t) for t in unique),
                           dtype=np.int64, count=len(unique))
        doc_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
        word_X = self._word_tfidf(fids[pos], doc_of, n)
        char_X = self.chars.transform_indexed(unique, pos, indptr)
        return sp.hstack([word_X, char_X]).tocsr()

    def _word_tfidf(self, flat: np.ndarray, doc_of: np.ndarray, n: int):
        kept = flat != DROPPED
        f, d = flat[kept], doc_of[kept]
        uni = (f >= 0) & (f < self.n_words)
        rows, cols = [d[uni]], [f[uni]]
        if len(f) > 1:
            a, b = f[:-1], f[1:]
            pair = (d[:-1] == d[1:]) & (a >= 0) & (b >= 0)
            codes = a[pair] * self.base + b[pair]
            at = np.searchsorted(self.bigram_codes, codes)
            at_ok = at < len(self.bigram_codes)
            found = np.zeros(len(codes), dtype=bool)
            found[at_ok] = self.bigram_codes[at[at_ok]] == codes[at_ok]
            rows.append(d[:-1][pair][found])
            cols.append(self.bigram_fids[at[found]])
        r, c = np.concatenate(rows), np.concatenate(cols)
        counts = sp.csr_matrix((np.ones(len(r), dtype=self.words.dtype), (r, c.astype(np.int32))),
                               shape=(n, self.n_words), dtype=self.words.dtype)
        counts.sum_duplicates()
        counts.sort_indices()
        return self.words._tfidf.transform(counts, copy=False)


def _splits(term: str):
    """Every way to read ``term`` as a bigram: ``(left, right)`` around one of its spaces."""
    at = term.find(" ")
    while at != -1:
        yield term[:at], term[at + 1:]
        at = term.find(" ", at + 1)


def _halves(term: str):
    for a, b in _splits(term):
        yield a
        yield b
