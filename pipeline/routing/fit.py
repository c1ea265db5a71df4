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
from pipeline.text import lexicon
from pipeline.text.tokens import StopwordFilter

AREA_KINDS = ("kelurahan", "kecamatan")
_KNOWN, _DROPPED = 1, 1 << 20  # fields of _known_shares' one-pass count (a document has fewer tokens than 2**20)
_CODES_MAX = 500_000  # token texts coded per router and process (_share_code) before the table starts again


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


def _known_shares(router, docs: Sequence[Document]) -> list[float]:
    """Per complaint, the share of its content words (the model's stop filter applied) whose stem the model knows.

    With the plain :class:`StopwordFilter` the counts are taken without building the filtered word lists: each
    distinct token text gets a code once per process (:func:`_share_code`: dropped by the filter, a known content
    word, or neither) and a complaint's codes are summed in one pass in C. Same integers, so the same shares."""
    known = known_tokens(router)
    step = _word_steps(router)["stop"]
    if type(step) is not StopwordFilter:
        content = step.transform([d.norms for d in docs])
        return [sum(map(known.__contains__, words)) / len(words) if words else 0.0 for words in content]
    cache = router.__dict__.get("_known_share_sets")
    if cache is None or cache[0] is not known:
        stop = lexicon.stop_words() | frozenset(step.extra_stop_words)
        cache = router._known_share_sets = (known, stop, step.drop_numbers, {})
    _, stop, drop_numbers, codes = cache
    out = []
    for doc in docs:
        norms = doc.norms
        try:
            total = sum(map(codes.__getitem__, norms))
        except KeyError:  # token texts not met yet: code them, then read them all
            if len(codes) > _CODES_MAX:  # bounded: hostile input cannot grow it without end
                codes.clear()
            for token in set(norms).difference(codes):
                codes[token] = _share_code(token, stop, known, drop_numbers)
            total = sum(map(codes.__getitem__, norms))
        if len(norms) < _DROPPED:
            n_dropped, n_known = divmod(total, _DROPPED)
        else:  # the known count could have overflowed into the dropped field: one kind at a time
            values = list(map(codes.__getitem__, norms))
            n_dropped, n_known = values.count(_DROPPED), values.count(_KNOWN)
        n = len(norms) - n_dropped
        out.append(n_known / n if n else 0.0)
    return out


def _share_code(token: str, stop: frozenset[str], known: frozenset[str], drop_numbers: bool) -> int:
    """``_DROPPED`` for a word the stop filter drops (stop word; bare number when numbers are dropped), ``_KNOWN`` for
    a content word whose stem the model knows, 0 for any other content word."""
    if token in stop or (drop_numbers and token.isdigit()):
        return _DROPPED
    return _KNOWN if token in known else 0


def tenant_fit(router, kelurahan: Sequence[str], kecamatan: Sequence[str],
               docs: Sequence[Document]) -> list[TenantFit]:
    """One :class:`TenantFit` per complaint."""
    shares = _known_shares(router, docs)
    out = []
    by_fields: dict = {}  # with a field given, the answer depends on the fields alone (they repeat across rows)
    for kel, kec, doc, share in zip(kelurahan, kecamatan, docs, shares):
        found = by_fields.get((kel, kec))
        if found is None:
            found = _area_known(router, kel, kec, doc)
            if (isinstance(kel, str) and kel.strip()) or (isinstance(kec, str) and kec.strip()):
                by_fields[(kel, kec)] = found
        out.append(TenantFit(found[0], share, found[1]))
    return out
