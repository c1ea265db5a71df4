"""What the service's recurring groups read of a stored complaint row, and write of it (shared by
``service.recurring`` and ``service.recurring_bulk``)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from pipeline.recurring import RecurringComplaint
from pipeline.recurring.labels import SurfaceForms


def complaint_time(c) -> datetime:
    return c.submitted_at or c.received_at


def _seconds(value: datetime) -> float:
    return value.astimezone(timezone.utc).timestamp() if value.tzinfo else value.replace(tzinfo=timezone.utc).timestamp()


def _record(c, text: str | None = None) -> RecurringComplaint:
    # the unit only counts once decided (auto-routed or by an operator): a mere suggestion is too noisy to
    # keep two reports of one problem apart
    return RecurringComplaint(str(c.id), _seconds(complaint_time(c)), c.text if text is None else text,
                              c.kelurahan or "", c.kecamatan or "", c.address or "", c.routed_opd or "",
                              c.responded_at is not None)


def readable_words(words: list[tuple[str, str]]) -> str:
    """``complaint_recurrence.words``: the readable content words (rising topics)."""
    return " ".join(dict.fromkeys(w for w, _ in words if w.isalpha() and len(w) >= 3))


def forms_json(words: list[tuple[str, str]]) -> str:
    """``complaint_recurrence.forms``: the pairs the grouper's labels count, as JSON."""
    return json.dumps(SurfaceForms.kept(words), ensure_ascii=False, separators=(",", ":"))
