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
from pipeline.routing.explain import surface_words
from pipeline.routing.fit import TenantFit, tenant_fit
from pipeline.routing.result import Routing
from pipeline.screening.result import ScreeningResult
from pipeline.triage import conflict
from pipeline.triage.index import DuplicateIndex
from pipeline.triage.new_units import UnitDescriptions

# Out-of-tenant input: a complaint whose area the model's gazetteer does not know and whose words the model
# mostly never saw is never auto-routed. Calibrated on the demo model: its own backlog (every area known,
# median 81 % of words known) against 5,000 Surabaya 2022 complaints (no area known, median 56 %, mean 57 %).
ROW_FIT = 0.5  # one complaint on its own: fewer known words than this (Surabaya: 45 % of rows, demo: 4 %)
INPUT_FIT = 0.7  # an input (a batch chunk, ≥ MIN_INPUT_ROWS) whose mean is below this …
INPUT_UNKNOWN_SHARE = 0.5  # … and whose areas are mostly unknown: every row with an unknown area
MIN_INPUT_ROWS = 20


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
    # earlier items of the same run that this one likely duplicates: (their position, score), best first
    # (only when the run does not ``remember``: then the index itself holds the earlier items)
    batch_duplicates: list[tuple[int, float]] = field(default_factory=list)
    tenant_fit: TenantFit | None = None

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
                 units: Sequence[str] | None = None, new_units: UnitDescriptions | None = None):
        self.router = router
        self.new_units = new_units  # units the router does not know yet, matched by description
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
            if self.new_units is not None:
                for r, match in zip(results, self.new_units.best([d.original for d in docs])):
                    self.new_units.apply(r.routing, match)
            base = getattr(self.router, "router_", self.router)  # an adaptive router wraps the fitted one
            if hasattr(base, "areas_") and hasattr(base, "features_"):
                fits = tenant_fit(base, frame["kelurahan"], frame["kecamatan"], docs)
                for r, fit, foreign in zip(results, fits, out_of_tenant(fits)):
                    r.tenant_fit = fit
                    if foreign:
                        mark_out_of_tenant(r.routing, fit)
            for r in results:  # the explanation shows the complaint's own words for its terms
                if r.routing.terms:
                    r.routing.words = surface_words(r.document, r.routing.terms)
        if self.screener is not None:
            for r, screening in zip(results, self.screener.screen(docs)):
                r.screening = screening
                if r.routing is not None:
                    conflict.apply(r.routing, screening, self.supervisor)
        if self.duplicates is not None:
            batch = []
            for r, item in zip(results, items):
                features = self.features(item, r.document)
                r.duplicates = self.duplicates.query(features)
                r.is_duplicate = self.duplicates.is_duplicate(r.duplicates)
                if remember:
                    self.duplicates.add(features)
                batch.append(features)
            if not remember and len(batch) > 1:
                for r, found in zip(results, batch_duplicates(self.duplicates, batch)):
                    r.batch_duplicates = found
                    r.is_duplicate = r.is_duplicate or any(s >= self.duplicates.threshold for _, s in found)
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


BATCH_CANDIDATES = 20  # earlier items of the run scored per item (those sharing the most words)
BATCH_MIN_SCORE = 0.05


def batch_duplicates(index, features: Sequence[ComplaintFeatures], top_k: int = 5) -> list[list[tuple[int, float]]]:
    """For each item, the earlier items of the same run it likely duplicates: ``(position, score)``, best first.

    Scored with the index's pair model and word weights (``index.compare``), so an item of the same
    batch is judged as an indexed complaint would be; candidates are the earlier items sharing words or
    the same text.
    """
    compare = getattr(index, "compare", None)
    if compare is None:
        return [[] for _ in features]
    postings: dict[int, list[int]] = {}
    out = []
    for j, f in enumerate(features):
        shared: dict[int, int] = {}
        for t in set(f.terms.tolist()):
            for i in postings.get(t, ()):
                shared[i] = shared.get(i, 0) + 1
        for i in range(j):
            if f.exact and features[i].exact == f.exact:
                shared[i] = shared.get(i, 0) + 1_000_000
        best = sorted(shared, key=lambda i: (-shared[i], -i))[:BATCH_CANDIDATES]
        cache: dict = {}
        scored = sorted(((compare(f, features[i], cache), i) for i in best), key=lambda s: (-s[0], -s[1]))
        out.append([(i, float(s)) for s, i in scored if s >= BATCH_MIN_SCORE][:top_k])
        for t in set(f.terms.tolist()):
            postings.setdefault(t, []).append(j)
    return out


def out_of_tenant(fits: Sequence[TenantFit]) -> list[bool]:
    """Which complaints are not from the model's region: unknown area and words the model does not know —
    judged per complaint, and over the whole input when it is large enough to say."""
    if not fits:
        return []
    foreign_input = (len(fits) >= MIN_INPUT_ROWS
                     and sum(f.area_unknown for f in fits) / len(fits) >= INPUT_UNKNOWN_SHARE
                     and sum(f.vocabulary for f in fits) / len(fits) < INPUT_FIT)
    return [f.area_unknown and (foreign_input or f.vocabulary < ROW_FIT) for f in fits]


def mark_out_of_tenant(routing: Routing | None, fit: TenantFit) -> None:
    if routing is None:
        return
    routing.auto_route = False
    where = f"wilayah '{fit.area}' tidak ada di data wilayah model" if fit.area else "wilayah tidak dikenal"
    routing.out_of_tenant = (f"Di luar wilayah model: {where} dan hanya {fit.vocabulary:.0%} kata dikenal model; "
                             "jangan disposisikan otomatis")


def _plain_time(value):
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value
