"""The service's side of triage: the pipeline's triage core, its results mapped to what the service stores.

All routing, screening and duplicate search happens in :class:`pipeline.triage.Triage` — the same core
``lapor-triage predict`` runs; intake calls its ``run`` (:meth:`Triage.core_for` gives the core for the
tenant). This module holds what the core is built from (the loaded bundle, the duplicate index), maps a
:class:`~pipeline.triage.TriageResult` to an :class:`Outcome` (the stored triage row, JSON-ready) and names
the review reasons. Exact re-submissions
are also found in the database through ``text_hash`` (the pipeline's one definition of "same text").
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace

from pipeline.dedup import ComplaintFeatures
from pipeline.model import TriageModel
from pipeline.triage import Triage as TriageCore
from pipeline.triage import TriageResult
from service.models import FLAGGED, NOT_AUTO_ROUTED, PROBABLE_DUPLICATE

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    masked_text: str
    text_hash: str
    model_version: str
    suggested_opd: str | None
    confidence: float
    auto_route: bool
    top_k: list[dict]
    explanation: str
    terms: list[dict]
    area: dict | None
    flags: dict | None = None
    duplicate_candidates: list[dict] = field(default_factory=list)
    score_features: list[float] | None = None  # the correctness score's inputs (pipeline/routing/confidence.py)
    # earlier items of the same intake batch this one likely duplicates: (position, score); the intake
    # turns them into candidates once those items have ids
    batch_duplicates: list[tuple[int, float]] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.flags and self.flags.get("flagged"))

    @property
    def flag_categories(self) -> list[str]:
        return [str(c) for c in (self.flags or {}).get("categories") or []] if self.flagged else []

    def review_reasons(self, duplicate_threshold: float) -> list[str]:
        reasons = []
        if not self.auto_route or not self.suggested_opd:
            reasons.append(NOT_AUTO_ROUTED)
        if self.flagged:
            reasons.append(FLAGGED)
        if any(c.get("score", 0) >= duplicate_threshold for c in self.duplicate_candidates):
            reasons.append(PROBABLE_DUPLICATE)
        return reasons


def text_fingerprint(text: str) -> str:
    """The stored "same text" hash of a complaint text (:attr:`pipeline.document.Document.text_hash`)."""
    from pipeline.document import Document

    return Document(text).text_hash


def outcome_of(result: TriageResult) -> Outcome:
    """The stored form of one triage result (routing, screening flags, duplicate candidates)."""
    r, doc = result.routing, result.document
    spans: dict[str, list[list[int]]] = {}
    for s in result.term_spans:
        spans.setdefault(s.label, []).append([s.start, s.end])
    flags = None
    if result.screening is not None:
        s = result.screening
        flags = {"flagged": s.flagged, "categories": s.categories, "evidence": [e.as_dict() for e in s.evidence],
                 "reason": s.reason}
    return Outcome(
        masked_text=doc.cleaned,
        text_hash=doc.text_hash,
        model_version=result.model_version or "",
        suggested_opd=r.opd,
        confidence=float(r.confidence),
        auto_route=bool(r.auto_route),
        top_k=[{"opd": s.opd, "p": round(float(s.p), 4)} for s in r.top_k],
        explanation=r.explanation,
        terms=[{"term": t, "weight": float(w), "spans": spans.get(t, [])} for t, w in r.terms],
        area=_area(r.area),
        flags=flags,
        duplicate_candidates=[{"complaint_id": int(m.id), "score": round(float(m.score), 4), "method": "index"}
                              for m in result.duplicates or []],
        batch_duplicates=list(result.batch_duplicates),
        score_features=list(r.score_features) if r.score_features is not None else None,
    )


class LockedIndex:
    """A duplicate index whose methods run one at a time (reads and additions from several intake threads)."""

    def __init__(self, index):
        self._index = index
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        attr = getattr(self._index, name)
        if not callable(attr):
            return attr

        def locked(*args, **kwargs):
            with self._lock:
                return attr(*args, **kwargs)

        return locked

    def __len__(self) -> int:
        return len(self._index)


class Triage:
    """The service's triage: the pipeline core over the loaded bundle, plus the optional duplicate index."""

    def __init__(self, model: TriageModel, *, screener=None, dedup_index=None, duplicate_threshold: float = 0.9):
        # the model and its screener change together (:meth:`swap`): one attribute, read once per batch
        self._bundle = (model, screener)  # screener: anything with ``screen(documents) -> list[ScreeningResult]``
        self.dedup_index = dedup_index  # a pipeline.triage.DuplicateIndex (guarded by a lock, see below)
        self.duplicate_threshold = duplicate_threshold
        self.new_units = None  # pipeline.triage.new_units.UnitDescriptions: tenant units the model does not know
        self.learning = None  # a service.learning.Learning: recent decisions and the tenant's handling policy
        self.decision_feed = None  # a service.decision_feed.DecisionFeed: other processes' dispositions

    @property
    def model(self) -> TriageModel:
        return self._bundle[0]

    @property
    def screener(self):
        return self._bundle[1]

    @screener.setter
    def screener(self, screener) -> None:
        self._bundle = (self._bundle[0], screener)

    def swap(self, model: TriageModel) -> None:
        """Serve ``model`` (with its own screener) from the next batch on; the duplicate index stays.
        A batch already running finishes with the model it started with."""
        self._bundle = (model, model.screener)

    @property
    def dedup_index(self):
        return self._dedup_index

    @dedup_index.setter
    def dedup_index(self, index) -> None:
        # the intake workers (service/ingest.py) triage in parallel threads: one lock per in-memory index
        self._dedup_index = index if index is None or isinstance(index, LockedIndex) else LockedIndex(index)

    @classmethod
    def from_model(cls, model: TriageModel, **kwargs) -> "Triage":
        """With the bundle's own screener unless ``screener=`` says otherwise."""
        kwargs.setdefault("screener", model.screener)
        return cls(model, **kwargs)

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def core(self) -> TriageCore:
        return self.core_for()

    def core_for(self, tenant=None) -> TriageCore:
        """The core, knowing the tenant's units and supervising unit (for conflict-of-interest routing)."""
        units = sorted(tenant.units) if tenant is not None and tenant.units else None
        model, screener = self._bundle
        router = self.learning.router_for(model) if self.learning is not None else model.router
        return TriageCore(router=router, screener=screener, duplicates=self.dedup_index,
                          model_version=model.version, units=units, new_units=self.new_units,
                          supervisor=getattr(tenant, "supervising_unit", None))

    @property
    def components(self) -> dict[str, bool]:
        return {"router": True, "screening": self.screener is not None, "dedup_index": self.dedup_index is not None}

    def learn(self, text: str, opd: str, kelurahan: str | None, kecamatan: str | None, at,
              suggestion: tuple | None = None, decision_id: int | None = None) -> None:
        """An operator's disposition, for the decision memory (no-op without one; never fails the decision)."""
        if self.learning is None:
            return
        try:
            if self.decision_feed is not None and not self.decision_feed.made_here(decision_id):
                return  # the feed of committed decisions already heard it
            self.learning.observe(text, opd, kelurahan, kecamatan, at, suggestion)
        except Exception:
            log.exception("decision memory: could not remember a decision")

    def remember(self, stored: list[tuple[int, ComplaintFeatures]]) -> None:
        """Add complaints that are now stored to the duplicate index, with the features their triage computed
        (no text is analysed again)."""
        if self.dedup_index is None or not stored:
            return
        try:
            for cid, features in stored:
                self.dedup_index.add(replace(features, id=str(cid)))
        except Exception:
            log.exception("pipeline.dedup: could not add %d complaints to the index", len(stored))


def _area(res) -> dict | None:
    if res is None:
        return None
    out = {key: str(value) for key in ("area", "office", "source", "kind")
           if (value := getattr(res, key, None)) is not None}
    return out or None
