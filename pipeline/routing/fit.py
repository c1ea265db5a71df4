"""How well complaints fit the model's tenant: is their area in the gazetteer, does the model know their words?

Two measures per complaint, read from a fitted :class:`~pipeline.routing.router.OpdRouter`:

- ``area_known`` — True when every kelurahan/kecamatan field given (or, without fields, a place named in the
  text) is in the model's gazetteer, spelling slips allowed; False when a field names an area it does not know; None when no area is given
  or found;
- ``vocabulary`` — the share of the complaint's content words (slang-normalised, stop words dropped) whose
  stem is a feature of the model; a word the model never saw cannot move its decision.

The decision what to do with them lives in the triage core (:mod:`pipeline.triage.core`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Sequence

from pipeline.document import Document
from pipeline.routing.areas import area_key
from pipeline.routing.features import WORD_BLOCK

AREA_KINDS = ("kelurahan", "kecamatan")


@dataclass(frozen=True)
class TenantFit:
    area_known: bool | None
    vocabulary: float
    area: str = ""  # the area as given (or found), for the operator's message

    @property
    def area_unknown(self) -> bool:
        return self.area_known is not True


def _word_steps(router):
    union = router.features_.named_steps["features"]
    return dict(union.transformer_list)[WORD_BLOCK].named_steps


def known_tokens(router) -> frozenset[str]:
    """Tokens (before stemming) whose stem is one of the model's word features; cached on the router."""
    cached = router.__dict__.get("_known_tokens")
    if cached is None:
        steps = _word_steps(router)
        vocab = steps["tfidf"].vocabulary_
        cached = frozenset(t for t, s in getattr(steps["stem"], "stems_", {}).items() if s in vocab)
        router._known_tokens = cached
    return cached


def _area_known(router, kelurahan: str, kecamatan: str, doc: Document) -> tuple[bool | None, str]:
    areas = router.areas_
    names = getattr(areas, "area_names_", {})
    given = [(k, v.strip()) for k, v in zip(AREA_KINDS, (kelurahan, kecamatan)) if isinstance(v, str) and v.strip()]
    if not given:
        for kind in AREA_KINDS:
            found = areas.find_area(kind, doc)
            if found:
                return True, found
        return None, ""
    cache = router.__dict__.setdefault("_area_fit_cache", {})
    for kind, value in given:  # every field given must be known: "Kapasari, Genteng" is not "Benteng"
        key = (kind, area_key(value))
        if key not in cache:
            known = names.get(kind, {})
            cache[key] = key[1] in known or bool(difflib.get_close_matches(key[1], list(known), n=1,
                                                                          cutoff=areas.fuzzy_cutoff))
        if not cache[key]:
            return False, value
    return True, given[0][1]


def tenant_fit(router, kelurahan: Sequence[str], kecamatan: Sequence[str],
               docs: Sequence[Document]) -> list[TenantFit]:
    """One :class:`TenantFit` per complaint."""
    known = known_tokens(router)
    content = _word_steps(router)["stop"].transform([d.norms for d in docs])
    out = []
    for kel, kec, doc, words in zip(kelurahan, kecamatan, docs, content):
        share = sum(1 for w in words if w in known) / len(words) if words else 0.0
        area_known, area = _area_known(router, kel, kec, doc)
        out.append(TenantFit(area_known, share, area))
    return out
