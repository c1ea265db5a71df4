"""The deadline of a complaint's current stage, from the tenant's working days (stored so queues are SQL)."""

from __future__ import annotations

from datetime import datetime

from service.tenant import Tenant
from service.workflow import FOLLOW_UP, STAGE_OF, VERIFICATION


def stage_values(tenant: Tenant, status: str, started: datetime | None, unit: str | None = None,
                 category: str | None = None) -> dict:
    """Columns ``stage``, ``stage_started_at``, ``due_at``, ``overdue3_at`` for a complaint entering ``status``."""
    stage = STAGE_OF.get(status)
    if stage is None or started is None:
        return {"stage": None, "stage_started_at": None, "due_at": None, "overdue3_at": None}
    unit = unit if stage == FOLLOW_UP else None
    return {"stage": stage, "stage_started_at": started,
            "due_at": tenant.due(stage, started, unit, category),
            "overdue3_at": tenant.due(stage, started, unit, category, times=3)}


def next_stage(tenant: Tenant, *, old_stage: str | None, new_status: str, action: str, now: datetime,
               reported_at: datetime, old_started: datetime | None, unit: str | None,
               category: str | None) -> dict | None:
    """The stage columns after a decision, or None when the current deadline stands."""
    stage = STAGE_OF.get(new_status)
    if stage == old_stage and action not in ("route", "forward", "reopen"):
        return None
    if stage == VERIFICATION:
        started = now if action == "reopen" else (old_started if old_stage == VERIFICATION else reported_at)
    else:
        started = now
    return stage_values(tenant, new_status, started, unit, category)
