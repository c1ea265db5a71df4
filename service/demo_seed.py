"""``db seed-demo``: the demo tenant's complaints with their own dates, and a year of answered history.

- the **backlog** (``backlog.csv``, Jan–Mar 2026) is stored and triaged one at a time, as it would have
  arrived, with its submission time: it is the operator's work (queue, deadlines, overdue);
- the **history** (``complaints.csv``, 2025, each labelled with the unit that handled it) is stored through the
  same intake, then closed as it was handled: disposed to its unit and answered, with times that shorten over
  the year, so ``make run`` shows both indicators — complaints received and response time per OPD — as trends.
  The delays are synthetic (the demo texts are self-written), deterministic, and written as ordinary history
  rows (a route decision and an OPD answer each).

Idempotent: demo complaints carry external ids ``demo-<id>``; a second run stores nothing new.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import select

from service import stats_daily
from service.complaint_schemas import ComplaintIn
from service.db import Database
from service.intake import Intake, ingest
from service.models import Complaint, Decision, Response
from service.stats_daily import facts_of
from service.tenant import Tenant
from service.workflow import DONE, MODEL_ROUTER, RESPONDED

SEED_OPERATOR = "demo-operator"


def _local(value: str, tenant: Tenant) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=tenant.calendar.tz)
    except ValueError:
        return None


def _items(frame: pd.DataFrame, tenant: Tenant) -> list[ComplaintIn]:
    items = []
    for r in frame.itertuples(index=False):
        try:
            items.append(ComplaintIn(text=r.text, external_id=f"demo-{r.id}", channel="demo",
                                     kecamatan=r.kecamatan or None, kelurahan=r.kelurahan or None,
                                     address=r.address or None, submitted_at=_local(r.created_at, tenant)))
        except ValidationError:  # the demo backlog keeps a few broken rows on purpose (empty text)
            continue
    return items


def _jitter(key: str) -> float:
    """A stable number in [0, 1) per complaint."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def _close_as_handled(db: Database, tenant: Tenant, created: dict[str, str]) -> None:
    """Dispose each history complaint to its labelled unit and answer it, with times that shorten over 2025."""
    with db.session(write=True) as session, session.begin():
        rows = session.scalars(select(Complaint).where(Complaint.external_id.in_(list(created)))).all()
        changes, decisions = [], []
        for c in rows:
            before = facts_of(c)
            unit = created[c.external_id]
            start = c.reported_at
            month = start.astimezone(tenant.calendar.tz).month - 1  # 0 … 11
            j = _jitter(c.external_id)
            auto = c.routed_by == MODEL_ROUTER and c.routed_opd == unit
            routed_at = start + (timedelta(minutes=1) if auto else timedelta(hours=4 + (40 - 3 * month) * j))
            answered_at = routed_at + timedelta(days=(12 - 0.8 * month) * (0.4 + j), hours=2)
            verification_due = tenant.due("verification", start, category=c.category)
            follow_up_due = tenant.due("follow_up", routed_at, unit, c.category)
            c.routed_opd, c.routed_at = unit, routed_at
            c.routed_by = MODEL_ROUTER if auto else SEED_OPERATOR
            c.review_reasons, c.co_opds = [], []
            c.responded_at = answered_at
            c.status = DONE if j < 0.8 else RESPONDED
            c.stage = c.stage_started_at = c.due_at = c.overdue3_at = None
            c.disposed_within = routed_at <= verification_due
            c.answered_within = answered_at <= follow_up_due
            c.version += 2
            changes.append((before, facts_of(c)))
            if not auto:
                decisions.append(Decision(complaint_id=c.id, action="route", opd=unit, suggested_opd=c.suggested_opd,
                                          note=None, operator=SEED_OPERATOR, from_status="pending_review",
                                          to_status="routed", complaint_version=c.version - 1, created_at=routed_at))
                session.add(decisions[-1])
            session.add(Response(complaint_id=c.id, opd=unit, recorded_by=SEED_OPERATOR, responded_at=answered_at,
                                 created_at=answered_at,
                                 text=f"Terima kasih atas laporan Anda. {unit} telah menindaklanjuti laporan ini."))
        stats_daily.apply(session, tenant.calendar.tz, changes, decisions)


def seed(db: Database, triage, tenant: Tenant, tenant_dir: Path, count: int | None,
         history: int | None) -> list[Intake]:
    read = lambda name: pd.read_csv(tenant_dir / name, dtype=str, keep_default_na=False)  # noqa: E731
    results: list[Intake] = []
    if history != 0 and (tenant_dir / "complaints.csv").is_file():
        past = read("complaints.csv").sort_values("created_at", kind="stable").head(history)
        label = dict(zip("demo-" + past["id"], past["opd"]))
        stored = ingest(db, triage, _items(past, tenant), tenant)
        results += stored
        created = {r.complaint["external_id"]: label[r.complaint["external_id"]] for r in stored
                   if r.status == "created" and label.get(r.complaint["external_id"]) in tenant.units}
        if created:
            _close_as_handled(db, tenant, created)
    # one at a time, as they would have arrived: each is compared with the ones before it
    for item in _items(read("backlog.csv").head(count), tenant):
        results += ingest(db, triage, [item], tenant)
    return results
