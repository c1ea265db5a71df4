"""What a role that sees only masked text is shown: every free text as the display text (PII masked).

Analysts see the complaint as operators see it on screen, never as typed: the stored ``masked_text`` for
the complaint itself, and the same cleaning (:func:`pipeline.text.normalize.clean_text`: NIK, phone numbers
and e-mail addresses replaced by ``[NIK]``, ``[TELEPON]``, ``[EMAIL]``, bidi and invisible controls removed)
for every other free text: the address and area names, decision notes, the status note, OPD answers and the
screening evidence quoted from the original. The API, the console and ``export-feedback`` use it.
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
