"""What a role that sees only masked text is shown: every free text as the display text (PII masked).

Analysts see the complaint as operators see it on screen, never as typed: the stored ``masked_text`` for
the complaint itself, and the same cleaning (:func:`pipeline.text.normalize.clean_text`: NIK, phone numbers
and e-mail addresses replaced by ``[NIK]``, ``[TELEPON]``, ``[EMAIL]``, bidi and invisible controls removed)
for every other free text: the address and area names, decision notes, the status note, OPD answers and the
screening evidence quoted from the original, the channel's ``external_id``, unit names that come from what was
typed (an area office is named after the kelurahan field: suggested and routed unit, ``top_k``, decisions) and
recurring-group labels and area names. The API, the console and ``export-feedback`` use it.
"""

from __future__ import annotations

from pipeline.text.normalize import clean_text

MASKED_ROLES = frozenset({"analyst"})


def sees_original(role: str) -> bool:
    return role not in MASKED_ROLES


def masked(value: str | None) -> str | None:
    """A free text as it may be shown to everyone (None and "" as they are)."""
    return clean_text(value) if value else value


def masked_flags(flags: dict | None) -> dict | None:
    """Screening flags with the evidence quoted from the original text masked."""
    if not isinstance(flags, dict) or not isinstance(flags.get("evidence"), list):
        return flags
    evidence = [{**e, "text": masked(e["text"]) if isinstance(e.get("text"), str) else e.get("text")}
                if isinstance(e, dict) else masked(e) if isinstance(e, str) else e for e in flags["evidence"]]
    return {**flags, "evidence": evidence}


def masked_tree(value):
    """Every string inside a JSON-like value masked (dict keys kept)."""
    if isinstance(value, str):
        return masked(value)
    if isinstance(value, list):
        return [masked_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: masked_tree(v) for k, v in value.items()}
    return value


def masked_top_k(top_k: list | None) -> list | None:
    """Suggestions with the unit names masked: an area office is named after the kelurahan as typed (a phone
    number typed as the kelurahan would show as 'Kelurahan 0812…')."""
    if not isinstance(top_k, list):
        return top_k
    return [{**s, "opd": masked(s.get("opd"))} if isinstance(s, dict) else s for s in top_k]


GROUP_TEXTS = ("label", "kelurahan", "kecamatan", "value")  # value: a rising topic's kecamatan or unit


def masked_group(item: dict) -> dict:
    """A recurring group (or rising topic) with its label, area names and unit names masked."""
    out = {k: (masked(v) if k in GROUP_TEXTS and isinstance(v, str) else v) for k, v in item.items()}
    if isinstance(out.get("units"), list):
        out["units"] = [{**u, "opd": masked(u.get("opd"))} if isinstance(u, dict) else u for u in out["units"]]
    if isinstance(out.get("opd"), str):
        out["opd"] = masked(out["opd"])
    return out
