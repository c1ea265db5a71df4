"""Area office or Dinas? Learned from decisions per topic and area.

Text alone rarely settles whether a complaint goes to a Dinas or to the complainant's own
Kelurahan/Kecamatan office: the same street-light complaint is handled by the transport agency in one
kecamatan and by the kelurahan office in another. :class:`AreaKindPrior` counts, per *topic* (the
Dinas the router ranks first for the text) and area (kelurahan, else kecamatan), how decided
complaints were handled — by a Dinas, the kelurahan office or the kecamatan office — and moves the
router's split between these three kinds toward those counts (the router's own split weighs as
``strength`` decisions). The concrete office then follows from the area fields.

Measured on the Surabaya replay (models/cards/router.md) it does not help there — area-office
decisions are not consistent enough per topic and area — so it is an opt-in step; the tenant's
explicit handling policy (:mod:`pipeline.routing.policy`) is the dependable lever.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.base import BaseEstimator

from pipeline.routing.areas import area_key, kind_class

KINDS = ("kelurahan", "kecamatan")
KIND_WORDS = {None: "dinas/instansi", "kelurahan": "kantor kelurahan", "kecamatan": "kantor kecamatan"}


class AreaKindPrior(BaseEstimator):
    """Parameters: ``strength`` — weight of the router's own split (pseudo-counts); ``min_count`` —
    decisions of a (topic, area) needed before they count."""

    def __init__(self, strength: float = 20.0, min_count: int = 8):
        self.strength = strength
        self.min_count = min_count

    def fit(self, router, df, y, docs):
        self.areas_ = router.areas_
        self.counts_: dict[tuple, Counter] = {}
        if not len(docs):
            return self
        proba = router.probabilities(router._features(docs).tocsr())
        # a complaint decided to a Dinas is of that Dinas's topic; one decided to an area office is of the
        # topic its text reads as (the router's first Dinas)
        topics = [lab if self.areas_.kind_of(str(lab)) is None else t
                  for lab, t in zip(y, self._topics(proba, list(router.classes_)))]
        self._add(topics, df, y)
        return self

    def _add(self, topics, df, y) -> None:
        for topic, kel, kec, label in zip(topics, df["kelurahan"], df["kecamatan"], y):
            if topic is None:
                continue
            kind = self.areas_.kind_of(str(label))
            for key in self._keys(topic, kel, kec):
                self.counts_.setdefault(key, Counter())[kind] += 1

    @staticmethod
    def _keys(topic, kel, kec) -> list[tuple]:
        keys = []
        if str(kel).strip():
            keys.append((topic, "kelurahan", area_key(kel)))
        if str(kec).strip():
            keys.append((topic, "kecamatan", area_key(kec)))
        return keys

    @staticmethod
    def _topics(proba, classes) -> list[str | None]:
        dinas = np.array([not c.startswith("__") for c in classes])
        if not dinas.any():
            return [None] * len(proba)
        masked = np.where(dinas[None, :], proba, -1.0)
        return [classes[j] for j in masked.argmax(axis=1)]

    @staticmethod
    def _kind_of_best(row, cols) -> str | None:
        best = int(row.argmax())
        return next((k for k, j in cols.items() if j == best), None)

    def adjust(self, proba, classes, df, docs, reasons):
        cols = {k: classes.index(kind_class(k)) for k in KINDS if kind_class(k) in classes}
        if not cols:
            return proba, classes
        proba = proba.copy()
        for i, (topic, kel, kec) in enumerate(zip(self._topics(proba, classes), df["kelurahan"], df["kecamatan"])):
            counts = next((self.counts_[k] for k in self._keys(topic, kel, kec)
                           if k in self.counts_ and sum(self.counts_[k].values()) >= self.min_count), None)
            if counts is None:
                continue
            n = sum(counts.values())
            p_kind = {k: proba[i, j] for k, j in cols.items()}
            p_dinas = max(1.0 - sum(p_kind.values()), 1e-9)
            before = self._kind_of_best(proba[i], cols)
            # Dirichlet update of the three-way split: the router's split counts as ``strength`` decisions
            row = proba[i] * ((counts[None] + self.strength * p_dinas) / (n + self.strength) / p_dinas)
            for k, j in cols.items():
                row[j] = (counts[k] + self.strength * p_kind[k]) / (n + self.strength)
            proba[i] = row / row.sum()
            kind = self._kind_of_best(proba[i], cols)
            if kind != before:
                reasons[i].append(f"pengaduan serupa di wilayah ini biasanya ditangani {KIND_WORDS[kind]} "
                                  f"({counts[kind]} dari {n} keputusan)")
        return proba, classes
