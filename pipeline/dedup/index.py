"""The duplicate index: earlier complaints, searchable by text, place and time, growing one at a time.

Layout (see models/cards/dedup.md for why):

- per complaint, columns in growable numpy arrays: time, exact-text key, kelurahan/kecamatan code,
  and three CSR lists of uint32 term ids (content words, address words, location numbers);
- an inverted index ``key → array('i') of complaint numbers`` over (a) every content word and
  (b) every (area, content word) pair, so a generic text is looked up *within its kelurahan*;
- a map from the exact-text key to complaints with that normalised text.

A query takes the rarest of its keys (within a budget of posting entries), keeps complaints inside
the time window, ranks them by summed IDF of the shared keys, and scores the best
``max_candidates`` with the calibrated pair model (:mod:`pipeline.dedup.scoring`). Adding a
complaint appends to the arrays and postings: O(number of its words), no rebuild.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator

from pipeline.dedup import pairs, scoring
from pipeline.dedup.arrays import CsrLists, GrowArray
from pipeline.dedup.features import ComplaintFeatures
from pipeline.dedup.persistence import IndexPersistence

DAY = 86400.0
_MIX = np.uint32(0x9E3779B1)


def area_keys(area: int, terms: np.ndarray) -> np.ndarray:
    """(area, term) → one uint32 posting key (multiplicative hash mix; never used without an area)."""
    with np.errstate(over="ignore"):
        return (terms.astype(np.uint32) * _MIX) ^ np.uint32(area) ^ np.uint32(0x5BD1E995)


@dataclass(frozen=True)
class Match:
    id: str
    score: float
    time: float
    doc: int


class DuplicateFinder(IndexPersistence, BaseEstimator):
    """Find earlier complaints about the same issue (see the module docstring).

    Parameters
    ----------
    window_days : only complaints at most this many days *earlier* are candidates (default 60).
    top_k : candidates returned per query (default 5).
    threshold : ``is_duplicate`` when the best candidate's probability reaches this.
    max_candidates : complaints scored with the full pair model per query.
    posting_budget : posting entries read per query and key family (bounds the latency of
        generic texts whose every word is common).
    idf_prior : pseudo-count of documents added to N in the IDF, so a small index does not
        make every word look rare.
    min_score : candidates scoring below this are not returned (same-text complaints always are).
    """

    def __init__(self, window_days: float = 60.0, top_k: int = 5, threshold: float = scoring.DEFAULT_THRESHOLD,
                 max_candidates: int = 40, posting_budget: int = 40_000, idf_prior: float = 1000.0,
                 min_score: float = 0.05):
        self.window_days = window_days
        self.top_k = top_k
        self.threshold = threshold
        self.max_candidates = max_candidates
        self.posting_budget = posting_budget
        self.idf_prior = idf_prior
        self.min_score = min_score

    # ---------------------------------------------------------------- building

    def _reset(self) -> None:
        self.ids_: list[str] = []
        self._time = GrowArray(np.float64)
        self._exact = GrowArray(np.uint64)
        self._kel = GrowArray(np.uint32)
        self._kec = GrowArray(np.uint32)
        self._problems = GrowArray(np.uint32)
        self._terms = CsrLists()
        self._place = CsrLists()
        self._numbers = CsrLists()
        self._post: dict[int, array] = {}
        self._exact_map: dict[int, array] = {}
        self._place_df: dict[int, int] = {}

    def _ready(self) -> None:
        if not hasattr(self, "ids_"):
            self._reset()

    def fit(self, complaints, y=None) -> "DuplicateFinder":
        """Index ``complaints`` (an iterable of :class:`ComplaintFeatures`) from scratch."""
        self._reset()
        for c in complaints:
            self.add(c)
        return self

    def partial_fit(self, complaints, y=None) -> "DuplicateFinder":
        self._ready()
        for c in complaints:
            self.add(c)
        return self

    def add(self, c: ComplaintFeatures) -> int:
        """Index one complaint; returns its number in the index."""
        self._ready()
        doc = len(self.ids_)
        self.ids_.append(c.id)
        self._time.append(c.time)
        self._exact.append(c.exact)
        self._kel.append(c.kelurahan)
        self._kec.append(c.kecamatan)
        self._problems.append(c.problems)
        self._terms.append(c.terms)
        self._place.append(c.place)
        self._numbers.append(c.numbers)
        post = self._post
        keys = c.terms.tolist()
        area = c.kelurahan or c.kecamatan
        if area:
            keys += area_keys(area, c.terms).tolist()
        for k in keys:
            lst = post.get(k)
            if lst is None:
                post[k] = array("i", (doc,))
            else:
                lst.append(doc)
        if c.exact:
            lst = self._exact_map.get(c.exact)
            if lst is None:
                self._exact_map[c.exact] = array("i", (doc,))
            else:
                lst.append(doc)
        pdf = self._place_df
        for t in c.place.tolist():
            pdf[t] = pdf.get(t, 0) + 1
        return doc

    def __len__(self) -> int:
        return len(self.ids_) if hasattr(self, "ids_") else 0

    # ---------------------------------------------------------------- scoring

    def _idf(self, df: int) -> float:
        return math.log((len(self.ids_) + self.idf_prior) / (df + 1.0))

    def term_weights(self, terms) -> dict[int, float]:
        """IDF of term ids (as :func:`pipeline.dedup.features.term_id` makes them) in this index."""
        return self._weights(list(terms))

    @property
    def times(self) -> np.ndarray:
        """Complaint times (seconds) by index number (a view: valid until the next ``add``)."""
        return self._time.a

    def terms_of(self, doc: int) -> np.ndarray:
        """The content-word term ids of indexed complaint number ``doc``."""
        return self._terms.get(doc)

    def _weights(self, terms: list[int]) -> dict[int, float]:
        post = self._post
        n = len(self.ids_) + self.idf_prior
        return {t: math.log(n / (len(post[t]) + 1.0) if t in post else n) for t in terms}

    def _place_weights(self, terms: list[int]) -> dict[int, float]:
        pdf = self._place_df
        n = len(self.ids_) + self.idf_prior
        return {t: math.log(n / (pdf.get(t, 0) + 1.0)) for t in terms}

    def features_of(self, doc: int) -> ComplaintFeatures:
        """What the index holds of complaint number ``doc``, as :class:`ComplaintFeatures`."""
        return ComplaintFeatures(
            id=self.ids_[doc], time=float(self._time.a[doc]), exact=int(self._exact.a[doc]),
            terms=self._terms.get(doc), place=self._place.get(doc), numbers=self._numbers.get(doc),
            kelurahan=int(self._kel.a[doc]), kecamatan=int(self._kec.a[doc]), problems=int(self._problems.a[doc]),
        )

    def pair_features(self, q: ComplaintFeatures, doc: int, _cache: dict | None = None) -> dict[str, float]:
        """The calibrated model's features for query ``q`` against indexed complaint ``doc``."""
        return pairs.pair_features(self, q, self.features_of(doc), _cache)

    def compare(self, q: ComplaintFeatures, other: ComplaintFeatures, _cache: dict | None = None) -> float:
        """The pair score of two complaints that need not be indexed (an earlier item of the same batch),
        with this index's word weights."""
        self._ready()
        return scoring.score(pairs.pair_features(self, q, other, _cache))

    # ---------------------------------------------------------------- querying

    def _gather(self, keys: list[int]) -> tuple[list[np.ndarray], list[float]]:
        """Posting arrays of the rarest keys, within the posting budget."""
        post = self._post
        found = [(len(post[k]), k) for k in set(keys) if k in post]
        found.sort()
        arrays, weights, used = [], [], 0
        for df, k in found:
            if used + df > self.posting_budget and arrays:
                break
            arrays.append(np.frombuffer(post[k], dtype=np.int32).copy())
            weights.append(self._idf(df))
            used += df
        return arrays, weights

    def query(self, q: ComplaintFeatures, exclude: int | None = None) -> list[Match]:
        """Up to ``top_k`` earlier complaints (within the window) most likely duplicated by ``q``, best first."""
        self._ready()
        if not len(self.ids_):
            return []
        lo, hi = q.time - self.window_days * DAY, q.time
        times = self._time.a
        arrays, weights = self._gather(q.terms.tolist())
        area = q.kelurahan or q.kecamatan
        if area and len(q.terms):
            a2, w2 = self._gather(area_keys(area, q.terms).tolist())
            arrays += a2
            weights += w2
        exact_docs = np.empty(0, dtype=np.int32)
        if q.exact and q.exact in self._exact_map:
            exact_docs = np.frombuffer(self._exact_map[q.exact], dtype=np.int32).copy()
            t = times[exact_docs]
            exact_docs = exact_docs[(t >= lo) & (t <= hi)]
            if exclude is not None:
                exact_docs = exact_docs[exact_docs != exclude]
        if arrays:
            docs = np.concatenate(arrays)
            w = np.repeat(np.asarray(weights), [len(a) for a in arrays])
            t = times[docs]
            keep = (t >= lo) & (t <= hi)
            if exclude is not None:
                keep &= docs != exclude
            docs, w = docs[keep], w[keep]
        else:
            docs, w = np.empty(0, dtype=np.int32), np.empty(0)
        if len(exact_docs):
            docs = np.concatenate([docs, exact_docs])
            w = np.concatenate([w, np.full(len(exact_docs), 1e6)])
        if not len(docs):
            return []
        uniq, inv = np.unique(docs, return_inverse=True)
        pre = np.bincount(inv, weights=w)
        if len(uniq) > self.max_candidates:
            # best pre-scores; ties broken by recency then position, so the choice is deterministic
            order = np.lexsort((-uniq, -times[uniq], -pre))[: self.max_candidates]
            uniq = uniq[order]
        cache: dict = {}
        scored = []
        for doc in uniq.tolist():
            if self.ids_[doc] == q.id:  # the same complaint in both history and input
                continue
            p = scoring.score(self.pair_features(q, doc, cache))
            scored.append((-round(p, 6), -float(times[doc]), -doc, doc, p))
        scored.sort()
        ex = {s[3] for s in scored} & set(exact_docs.tolist())
        best = [s for s in scored if s[4] >= self.min_score or s[3] in ex][: self.top_k]
        if ex and not any(s[3] in ex for s in best):
            # a same-text complaint is always shown: re-sends must never be missed
            first_exact = next(s for s in scored if s[3] in ex)
            best = best[: self.top_k - 1] + [first_exact]
        return [Match(self.ids_[s[3]], s[4], float(times[s[3]]), s[3]) for s in best]

    def is_duplicate(self, matches: list[Match]) -> bool:
        return bool(matches) and matches[0].score >= self.threshold

    def query_and_add(self, q: ComplaintFeatures) -> list[Match]:
        """Compare with everything indexed so far, then index ``q`` (the incremental walk)."""
        matches = self.query(q)
        self.add(q)
        return matches
