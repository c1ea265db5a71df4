"""Conflict of interest: the accused is the unit (or its head/staff) the router would dispose to.

A complaint that accuses "Camat Wonocolo" must not be routed automatically to Kecamatan Wonocolo:
the accused would handle the complaint about themselves. When the screening evidence of a
defamation-risk flag names the suggested unit — by its office ("kelurahan Gayungan"), its head
("lurah Gayungan", "pak camat" when the suggestion is a Kecamatan office) or its staff ("petugas
Dinas Perhubungan") — triage turns auto-route off, says why, and puts the supervising unit (the
tenant's Inspektorat, or the one the tenant names) into the suggestions.
"""

from __future__ import annotations

import re

from pipeline.routing.result import Routing, Suggestion
from pipeline.screening.result import ScreeningResult

# the first word of a unit's name → words that name the unit or its head in a complaint
UNIT_ROLES = {
    "kecamatan": {"kecamatan", "kec", "camat"},
    "kelurahan": {"kelurahan", "kel", "lurah"},
    "desa": {"desa", "kades"},
    "dinas": {"dinas"},
    "badan": {"badan"},
    "puskesmas": {"puskesmas"},
    "rsud": {"rsud"},
    "satpol": {"satpol"},
}
# words around a role that do not name a place ("pak camat", "kepala dinas", "petugas kelurahan")
TITLE_WORDS = frozenset({"pak", "bapak", "bu", "ibu", "kepala", "ka", "kadis", "petugas", "pegawai", "staf", "staff",
                         "oknum", "pihak", "sekretaris", "sekcam", "seklur", "wakil", "pp", "setempat", "kami", "kita",
                         "sini", "sana", "tersebut", "tsb", "itu", "ini"})
_WORD = re.compile(r"[a-z0-9]+")  # linear: one character class, no nesting


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def accuses_unit(unit: str, screening: ScreeningResult | None) -> bool:
    """Whether the defamation-risk evidence names ``unit``, its head or its staff."""
    if screening is None or not screening.flagged or not unit:
        return False
    head, *place = _words(unit)
    roles = UNIT_ROLES.get(head)
    if roles is None:
        return False
    place_words = set(place)
    for flag in screening.flags:
        if flag.category != "defamation_risk":
            continue
        for evidence in flag.evidence:
            words = _words(evidence.text)
            if not roles & set(words):
                continue
            rest = [w for w in words if w not in roles and w not in TITLE_WORDS]
            # "Camat Wonocolo" names the place; "pak camat" names none: the complainant's own office
            if not rest or (place_words and place_words <= set(rest)):
                return True
    return False


def supervising_unit(units, setting: str | None = None) -> str | None:
    """The tenant's supervising unit: the one named by the setting, else one whose name has "Inspektorat"."""
    units = list(units)
    if setting:
        return setting if setting in units or not units else None
    return next((u for u in units if "inspektorat" in str(u).lower()), None)


def apply(routing: Routing, screening: ScreeningResult | None, supervisor: str | None) -> Routing:
    """Mark ``routing`` when the accused is the suggested unit (in place; returns it)."""
    if routing is None or not routing.opd or not accuses_unit(routing.opd, screening):
        return routing
    routing.auto_route = False
    note = (f"Terlapor adalah pimpinan/pegawai unit yang disarankan ({routing.opd}): "
            "jangan disposisikan otomatis")
    if supervisor and supervisor != routing.opd:
        note += f"; pertimbangkan {supervisor}"
        if all(s.opd != supervisor for s in routing.top_k):
            routing.top_k = routing.top_k[:max(len(routing.top_k) - 1, 1)] + [Suggestion(supervisor, 0.0)]
    routing.conflict = note
    return routing
