"""The triage step: route, screen and look for duplicates — the one place the components meet.

``Triage.triage(items)`` runs on a batch of new complaints and returns one :class:`Outcome` each.
Only the router is required. The other components are optional and discovered at start-up:

- **screening** — if the loaded bundle carries a screener (``TriageModel.screener``), its
  result (``flagged``, ``categories``, ``evidence`` spans into the original text, ``reason``) is
  stored as the triage result's ``flags`` and a flagged complaint goes to the review queue;
- **near-duplicates** — a duplicate index (an object with ``candidates(df) ->
  list[list[{"complaint_id", "score"}]]`` and ``add(ids, df)``; the app wires in
  :class:`service.duplicates.DatabaseDuplicateIndex`) is queried for each complaint and told about
  every stored one. Exact duplicates (same masked, normalised text) are also found in the database.

A candidate with ``score >= duplicate_threshold`` makes the complaint a *probable duplicate*.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from pipeline.model import TriageModel
from pipeline.text import clean_text
from service.models import FLAGGED, NOT_AUTO_ROUTED, PROBABLE_DUPLICATE

log = logging.getLogger(__name__)

SCREEN_FIELDS = ("flagged", "categories", "evidence", "reason")


@dataclass
class TriageInput:
    text: str
    kecamatan: str | None = None
    kelurahan: str | None = None
    submitted_at: Any = None
    address: str | None = None


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


_SPACE = re.compile(r"\s+")


def text_fingerprint(masked_text: str) -> str:
    """sha256 of the masked text, case- and whitespace-folded: equal for exact re-submissions."""
    return hashlib.sha256(_SPACE.sub(" ", masked_text.casefold()).strip().encode("utf-8")).hexdigest()


def _find_screener(model: TriageModel) -> Callable[[pd.DataFrame], list[dict]] | None:
    """The bundle's screener as ``df -> [{flagged, categories, evidence, reason}]`` (JSON-ready)."""
    screener = getattr(model, "screener", None)
    if screener is None:
        return None

    def screen(df: pd.DataFrame) -> list[dict]:
        return [{"flagged": r.flagged, "categories": r.categories, "evidence": [e.as_dict() for e in r.evidence],
                 "reason": r.reason} for r in screener.screen(df["text"].tolist())]

    return screen


class Triage:
    """Routes (always), screens and finds duplicates (when those components exist)."""

    def __init__(self, model: TriageModel, *, screener=None, dedup_index=None,
                 duplicate_threshold: float = 0.9):
        self.model = model
        self.screener = screener
        self.dedup_index = dedup_index
        self.duplicate_threshold = duplicate_threshold

    @classmethod
    def from_model(cls, model: TriageModel, **kwargs) -> "Triage":
        kwargs.setdefault("screener", _find_screener(model))
        return cls(model, **kwargs)

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def components(self) -> dict[str, bool]:
        return {"router": True, "screening": self.screener is not None, "dedup_index": self.dedup_index is not None}

    def triage(self, items: list[TriageInput]) -> list[Outcome]:
        if not items:
            return []
        df = pd.DataFrame({
            "text": [i.text for i in items],
            "kecamatan": [i.kecamatan or "" for i in items],
            "kelurahan": [i.kelurahan or "" for i in items],
            "address": [i.address or "" for i in items],
            "created_at": pd.to_datetime([i.submitted_at for i in items], errors="coerce", utc=True),
        })
        routings = self.model.route(df)
        screens = self._screen(df)
        dups = self._duplicates(df)
        out = []
        for i, (item, r) in enumerate(zip(items, routings)):
            masked = clean_text(item.text)
            out.append(Outcome(
                masked_text=masked,
                text_hash=text_fingerprint(masked),
                model_version=self.model.version,
                suggested_opd=r.opd,
                confidence=float(r.confidence),
                auto_route=bool(r.auto_route),
                top_k=[{"opd": s.opd, "p": round(float(s.p), 4)} for s in r.top_k],
                explanation=r.explanation,
                terms=[{"term": t, "weight": float(w)} for t, w in r.terms],
                area=_area(r.area),
                flags=screens[i] if screens else None,
                duplicate_candidates=dups[i] if dups else [],
            ))
        return out

    def _screen(self, df: pd.DataFrame) -> list[dict] | None:
        if self.screener is None:
            return None
        records = self.screener(df)
        return [{k: rec.get(k) for k in SCREEN_FIELDS if k in rec} for rec in records]

    def _duplicates(self, df: pd.DataFrame) -> list[list[dict]] | None:
        if self.dedup_index is None:
            return None
        found = self.dedup_index.candidates(df)
        return [[{"complaint_id": int(c["complaint_id"]), "score": float(c["score"]),
                  **({"method": c["method"]} if "method" in c else {})} for c in row] for row in found]

    def remember(self, ids: list[int], items: list[TriageInput]) -> None:
        """Tell the duplicate index about complaints that are now stored."""
        if self.dedup_index is None or not ids:
            return
        df = pd.DataFrame({"text": [i.text for i in items], "kecamatan": [i.kecamatan or "" for i in items],
                           "kelurahan": [i.kelurahan or "" for i in items],
                           "address": [i.address or "" for i in items],
                           "created_at": pd.to_datetime([i.submitted_at for i in items], errors="coerce", utc=True)})
        try:
            self.dedup_index.add(ids, df)
        except Exception:
            log.exception("pipeline.dedup: could not add %d complaints to the index", len(ids))


def _area(res) -> dict | None:
    if res is None:
        return None
    out = {}
    for key in ("area", "office", "source", "kind"):
        value = getattr(res, key, None)
        if value is not None:
            out[key] = str(value)
    return out or None
