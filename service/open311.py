"""Open311 GeoReport v2, read side: the tenant's units as services, complaints as service requests.

Field semantics follow the GeoReport v2 specification (as FixMyStreet serves it read-only):

- a *service* is one of the tenant's units (``units.csv``, ``forward_units.csv``, the Kecamatan/Kelurahan
  offices and every unit the model knows); ``service_code`` is a stable slug of the unit's name;
- a *service request* is a complaint: ``status`` is ``open`` while the workflow can still act on it
  (:data:`service.workflow.OPEN_STATUSES`) and ``closed`` once it is done, archived or merged;
  ``agency_responsible``/``service_code`` name the unit it was disposed to (null before disposition);
  ``status_notes`` is the latest answer given to the citizen; ``expected_datetime`` is the deadline of the
  current stage (:mod:`service.deadlines`); ``description`` is the PII-masked text (at most 4,000 characters);
- confidential (rahasia) and anonymous (anonim) complaints are never returned, not even by id.

A query spans at most :data:`MAX_SPAN` (default: the most recent 90 days) and returns at most
:data:`MAX_REQUESTS` requests, newest first.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from pipeline.text.pii import mask_pii
from service.db import Database
from service.errors import Invalid, NotFound
from service.models import Complaint, Response, utcnow
from service.tenant import Tenant
from service.workflow import MERGED, OPEN_STATUSES

MAX_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_DESCRIPTION = 4000
OPEN, CLOSED = "open", "closed"


def service_code(unit: str) -> str:
    """A stable, URL-safe code for a unit name: ``Dinas Kesehatan`` → ``dinas-kesehatan``."""
    return re.sub(r"[^0-9a-z]+", "-", unit.casefold()).strip("-") or "unit"


@dataclass(frozen=True)
class Service:
    service_code: str
    service_name: str
    description: str
    keywords: str
    group: str
    metadata: bool = False
    type: str = "realtime"


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(f)]


def load_services(tenant: Tenant, tenant_dir: Path) -> list[Service]:
    """Every unit of the tenant as a GeoReport service, sorted by name; descriptions from the unit tables."""
    known = {r["name"]: r for name in ("units.csv", "forward_units.csv")
             for r in _csv_rows(Path(tenant_dir) / name) if r.get("name")}
    out = []
    for unit in sorted(tenant.units):
        row = known.get(unit, {})
        group = row.get("kind") or unit.split(" ", 1)[0].casefold()
        keywords = ", ".join(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        out.append(Service(service_code(unit), unit, row.get("description", ""), keywords, group))
    return out


def status_of(workflow_status: str) -> str:
    return OPEN if workflow_status in OPEN_STATUSES else CLOSED


@dataclass
class RequestQuery:
    """GeoReport ``GET requests`` filters; ``ids`` given means the other filters are ignored (per spec)."""

    ids: list[int] | None = None
    units: list[str] | None = None  # service codes already resolved to unit names
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] | None = None  # open / closed

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        end = self.end or (self.start + MAX_SPAN if self.start else now)
        start = self.start or end - MAX_SPAN
        if start > end:
            raise Invalid("invalid_range", "start_date harus sebelum end_date.", ["query", "start_date"])
        if end - start > MAX_SPAN:
            raise Invalid("range_too_long", f"Rentang start_date–end_date paling lama {MAX_SPAN.days} hari.",
                          ["query", "end_date"])
        return start, end


def _public():
    return (Complaint.confidential.is_(False), Complaint.anonymous.is_(False))


def _statement(q: RequestQuery, now: datetime):
    stmt = select(Complaint).where(*_public())
    if q.ids is not None:
        return stmt.where(Complaint.id.in_(q.ids)).order_by(Complaint.id)
    start, end = q.window(now)
    stmt = stmt.where(Complaint.reported_at >= start, Complaint.reported_at <= end)
    if q.units is not None:
        stmt = stmt.where(Complaint.routed_opd.in_(q.units))
    wanted = set(q.statuses or ())
    if wanted == {OPEN}:
        stmt = stmt.where(Complaint.status.in_(OPEN_STATUSES))
    elif wanted == {CLOSED}:
        stmt = stmt.where(Complaint.status.not_in(OPEN_STATUSES))
    return stmt.order_by(Complaint.reported_at.desc(), Complaint.id.desc())


def _answers(session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Response.complaint_id, Response.text).where(Response.complaint_id.in_(ids))
                           .order_by(Response.responded_at, Response.id)).all()
    return {cid: text for cid, text in rows}  # the latest answer wins


def _w3(ts: datetime | None, tenant: Tenant) -> str | None:
    return None if ts is None else ts.astimezone(tenant.calendar.tz).isoformat(timespec="seconds")


def _address(c: Complaint) -> str | None:
    parts = [p.strip() for p in (c.address, c.kelurahan, c.kecamatan) if p and p.strip()]
    return mask_pii(", ".join(dict.fromkeys(parts))) if parts else None


def request_out(c: Complaint, answer: str | None, tenant: Tenant) -> dict:
    unit = c.routed_opd
    notes = mask_pii(answer) if answer else (f"Digabung dengan laporan {c.duplicate_of}." if c.status == MERGED
                                             else None)
    return {
        "service_request_id": str(c.id), "status": status_of(c.status), "status_notes": notes,
        "service_name": unit, "service_code": service_code(unit) if unit else None,
        "description": (c.masked_text or "")[:MAX_DESCRIPTION], "agency_responsible": unit,
        "service_notice": None, "requested_datetime": _w3(c.reported_at or c.received_at, tenant),
        "updated_datetime": _w3(c.updated_at, tenant), "expected_datetime": _w3(c.due_at, tenant),
        "address": _address(c), "address_id": None, "zipcode": None, "lat": None, "long": None,
        "media_url": None,
    }


def find_requests(db: Database, tenant: Tenant, q: RequestQuery, now: datetime | None = None) -> list[dict]:
    with db.session() as session:
        rows = session.scalars(_statement(q, now or utcnow()).limit(MAX_REQUESTS)).all()
        answers = _answers(session, [c.id for c in rows])
        return [request_out(c, answers.get(c.id), tenant) for c in rows]


def get_request(db: Database, tenant: Tenant, request_id: int) -> list[dict]:
    """GeoReport answers one request as a list of one; a confidential or unknown id is 404 alike."""
    found = find_requests(db, tenant, RequestQuery(ids=[request_id]))
    if not found:
        raise NotFound("not_found", f"Laporan {request_id} tidak ditemukan.")
    return found
