"""The triage core: analyse each complaint once, then route, screen and look for duplicates.

``Triage.run(items)`` is the one orchestration used by ``predict``, ``screen``, ``dedup`` and the
service. Every component is optional (a ``screen`` run has only a screener, ``dedup`` only a
duplicate index); each reads the same :class:`~pipeline.document.Document`.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from typing import Any, Sequence

import pandas as pd

from pipeline.dedup.features import ComplaintFeatures, parse_time
from pipeline.dedup.index import Match
from pipeline.document import Document, Span
from pipeline.routing.result import Routing
from pipeline.screening.result import ScreeningResult
from pipeline.triage import conflict
from pipeline.triage.index import DuplicateIndex


@dataclass
class TriageItem:
    """One complaint as it arrives: text and the optional fields the components use."""

    text: str
    kelurahan: str = ""
    kecamatan: str = ""
    address: str = ""
    submitted_at: Any = None
    id: str = ""


@dataclass
class TriageResult:
    """Everything triage says about one complaint. ``None`` means "that component did not run"."""

    document: Document
    model_version: str | None = None
    routing: Routing | None = None
    screening: ScreeningResult | None = None
    duplicates: list[Match] | None = None
    is_duplicate: bool = False

    @property
    def flagged(self) -> bool:
        return bool(self.screening is not None and self.screening.flagged)

    @property
    def term_spans(self) -> list[Span]:
        """Where the routing explanation terms occur in the cleaned (displayed) text."""
        if self.routing is None or not self.routing.terms:
            return []
        return self.document.term_spans([t for t, _ in self.routing.terms])


class Triage:
    """Routes, screens and searches duplicates for complaints, with whichever components it has."""

    def __init__(self, *, router=None, screener=None, duplicates: DuplicateIndex | None = None,
                 model_version: str | None = None, explain: bool = True, supervisor: str | None = None,
                 units: Sequence[str] | None = None):
        self.router = router
        # the unit that handles complaints against a unit (tenant setting; default: its Inspektorat)
        known = list(units) if units is not None else list(getattr(router, "classes_", []))
        self.supervisor = conflict.supervising_unit(known, supervisor)
        self.screener = screener
        self.duplicates = duplicates
        self.model_version = model_version
        self.explain = explain

    @classmethod
    def from_model(cls, model, **kwargs) -> "Triage":
        """The components of a loaded :class:`~pipeline.model.TriageModel` bundle."""
        return cls(router=model.router, screener=model.screener, model_version=model.version, **kwargs)

    def run(self, items: Sequence[TriageItem], *, documents: Sequence[Document] | None = None,
            remember: bool = False) -> list[TriageResult]:
        """One result per item, in order. With ``remember``, each item is added to the duplicate index
        right after its own search, so later items (in the given order) find it."""
        if not items:
            return []
        docs = list(documents) if documents is not None else [Document(i.text) for i in items]
        results = [TriageResult(d, self.model_version) for d in docs]
        if self.router is not None:
            frame = pd.DataFrame({"text": [d.original for d in docs],
                                  "kelurahan": [i.kelurahan or "" for i in items],
                                  "kecamatan": [i.kecamatan or "" for i in items]})
            for r, routing in zip(results, self.router.route(frame, explain=self.explain, documents=docs)):
                r.routing = routing
        if self.screener is not None:
            for r, screening in zip(results, self.screener.screen(docs)):
                r.screening = screening
                if r.routing is not None:
                    conflict.apply(r.routing, screening, self.supervisor)
        if self.duplicates is not None:
            for r, item in zip(results, items):
                features = self.features(item, r.document)
                r.duplicates = self.duplicates.query(features)
                r.is_duplicate = self.duplicates.is_duplicate(r.duplicates)
                if remember:
                    self.duplicates.add(features)
        return results

    def remember(self, ids: Sequence[str], items: Sequence[TriageItem],
                 results: Sequence[TriageResult] | None = None) -> None:
        """Add stored complaints to the duplicate index (``results`` reuse their documents)."""
        if self.duplicates is None:
            return
        for k, (cid, item) in enumerate(zip(ids, items)):
            doc = results[k].document if results is not None else Document(item.text)
            self.duplicates.add(self.features(TriageItem(**{**vars(item), "id": str(cid)}), doc))

    @staticmethod
    def features(item: TriageItem, doc: Document) -> ComplaintFeatures:
        seconds = parse_time(_plain_time(item.submitted_at))
        return ComplaintFeatures.build(item.id, seconds if seconds is not None else _time.time(), doc,
                                       item.kelurahan or "", item.kecamatan or "", item.address or "")


def _plain_time(value):
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value
