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
from itertools import repeat
from dataclasses import dataclass
from typing import Sequence

from pipeline.document import Document
from pipeline.routing.areas import area_key
from pipeline.routing.features import WORD_BLOCK
from pipeline.text import lexicon
from pipeline.text.tokens import StopwordFilter

AREA_KINDS = ("kelurahan", "kecamatan")
_DIGIT, _STOP = 1 << 20, 1 << 40  # fields of _known_shares' one-pass count (a document has fewer tokens than 2**20)


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

    With the plain :class:`StopwordFilter` the counts are taken without building the filtered word lists:
    content words = tokens that are neither stop words nor (when numbers are dropped) digits; known content
    words = tokens in the known set less stop words and digits. Same integers, so the same shares."""
    known = known_tokens(router)
    step = _word_steps(router)["stop"]
    if type(step) is not StopwordFilter:
        content = step.transform([d.norms for d in docs])
        return [sum(map(known.__contains__, words)) / len(words) if words else 0.0 for words in content]
    cache = router.__dict__.get("_known_share_sets")
    if cache is None or cache[0] is not known:
        stop = lexicon.stop_words() | frozenset(step.extra_stop_words)
        dropped = stop | ({w for w in known if w.isdigit()} if step.drop_numbers else set())
        known_content = frozenset(known - dropped)
        stop_digits = frozenset(w for w in stop if w.isdigit())
        # one pass counts all three sets (disjoint: known content words are no stop words): a stop word adds
        # _STOP, a stop word of digits _STOP + _DIGIT, a known content word 1; each count stays below _DIGIT
        code = {w: _STOP for w in stop}
        code.update({w: _STOP + _DIGIT for w in stop_digits})
        code.update({w: 1 for w in known_content})
        cache = router._known_share_sets = (known, stop, known_content, stop_digits, step.drop_numbers, code)
    _, stop, known_content, stop_digits, drop_numbers, code = cache
    out = []
    for doc in docs:
        norms = doc.norms
        if len(norms) < _DIGIT:
            total = sum(map(code.get, norms, repeat(0)))
            n_stop, n_stop_digits, n_known = total // _STOP, total % _STOP // _DIGIT, total % _DIGIT
        else:  # counts that could overflow a field: one set at a time
            n_stop, n_known = sum(map(stop.__contains__, norms)), sum(map(known_content.__contains__, norms))
            n_stop_digits = sum(map(stop_digits.__contains__, norms))
        n = len(norms) - n_stop
        if drop_numbers:
            n -= sum(map(str.isdigit, norms)) - n_stop_digits
        out.append(n_known / n if n else 0.0)
    return out


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
