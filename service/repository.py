"""Queries: every read of complaints, triage results, decisions and responses. No HTTP, no model.

Functions take an open SQLAlchemy session (the caller owns the transaction) and return rows or plain values.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from service.errors import Invalid
from service.models import MERGED, QUEUE_STATUSES, Complaint, Decision, Response, TriageResult

EXACT_DUPLICATE_WINDOW = timedelta(days=90)


def latest_triage(session: Session, ids: list[int]) -> dict[int, TriageResult]:
    if not ids:
        return {}
    rows = session.scalars(select(TriageResult).where(TriageResult.complaint_id.in_(ids))
                           .order_by(TriageResult.id)).all()
    return {r.complaint_id: r for r in rows}  # the last one wins


def by_external_id(session: Session, external_ids: set[str]) -> dict[str, tuple[Complaint, TriageResult | None]]:
    if not external_ids:
        return {}
    rows = session.scalars(select(Complaint).where(Complaint.external_id.in_(external_ids))).all()
    triage = latest_triage(session, [c.id for c in rows])
    return {c.external_id: (c, triage.get(c.id)) for c in rows}


def exact_duplicates(session: Session, hashes: set[str], now: datetime) -> dict[str, list[int]]:
    """Ids of recent, unmerged complaints with each text fingerprint, oldest first."""
    if not hashes:
        return {}
    rows = session.execute(
        select(Complaint.text_hash, Complaint.id)
        .where(Complaint.text_hash.in_(hashes), Complaint.received_at >= now - EXACT_DUPLICATE_WINDOW,
               Complaint.status != MERGED)
        .order_by(Complaint.id)).all()
    found: dict[str, list[int]] = {}
    for h, cid in rows:
        found.setdefault(h, []).append(cid)
    return found


def history(session: Session, cid: int) -> tuple[list[Decision], list[Response]]:
    decisions = session.scalars(select(Decision).where(Decision.complaint_id == cid).order_by(Decision.id)).all()
    responses = session.scalars(select(Response).where(Response.complaint_id == cid).order_by(Response.id)).all()
    return list(decisions), list(responses)


def complaints_by_id(session: Session, ids: list[int]) -> dict[int, tuple[Complaint, TriageResult | None]]:
    if not ids:
        return {}
    rows = session.scalars(select(Complaint).where(Complaint.id.in_(ids))).all()
    triage = latest_triage(session, [c.id for c in rows])
    return {c.id: (c, triage.get(c.id)) for c in rows}


# -- cursors -------------------------------------------------------------------------------------------
def encode_cursor(received_at: datetime, cid: int) -> str:
    return base64.urlsafe_b64encode(f"{received_at.isoformat()}|{cid}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, cid = raw.split("|")
        ts = datetime.fromisoformat(when)
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=timezone.utc)
        return ts, int(cid)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("invalid_cursor", "Parameter 'cursor' tidak valid; gunakan next_cursor dari halaman "
                                        "sebelumnya.", ["query", "cursor"]) from None


# -- listings ------------------------------------------------------------------------------------------
@dataclass
class ListFilters:
    status: str | None = None
    suggested_opd: str | None = None
    routed_opd: str | None = None
    flagged: bool | None = None
    flag: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None


def filtered(f: ListFilters):
    q = select(Complaint)
    if f.status:
        q = q.where(Complaint.status == f.status)
    if f.suggested_opd:
        q = q.where(Complaint.suggested_opd == f.suggested_opd)
    if f.routed_opd:
        q = q.where(Complaint.routed_opd == f.routed_opd)
    if f.flagged is not None:
        q = q.where(Complaint.flagged.is_(f.flagged))
    if f.flag:
        q = q.where(Complaint.flag_categories.contains(f",{f.flag},", autoescape=True))
    if f.date_from:
        q = q.where(Complaint.received_at >= f.date_from)
    if f.date_to:
        q = q.where(Complaint.received_at < f.date_to)
    return q


def list_page(session: Session, f: ListFilters, limit: int, cursor: str | None):
    """Newest first: (rows, triage by id, next cursor or None)."""
    q = filtered(f)
    if cursor:
        ts, cid = decode_cursor(cursor)
        q = q.where(or_(Complaint.received_at < ts, and_(Complaint.received_at == ts, Complaint.id < cid)))
    rows = session.scalars(q.order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor(rows[-1].received_at, rows[-1].id) if more and rows else None
    return rows, latest_triage(session, [c.id for c in rows]), nxt


def queue_query(reason: str | None):
    base = select(Complaint).where(Complaint.status.in_(QUEUE_STATUSES))
    if reason:
        base = base.where(cast(Complaint.review_reasons, String).contains(f'"{reason}"'))
    return base


def queue_page(session: Session, reason: str | None, limit: int, cursor: str | None):
    """Oldest first: (queue size, rows, triage by id, next cursor or None)."""
    base = queue_query(reason)
    q = base
    if cursor:
        ts, cid = decode_cursor(cursor)
        q = q.where(or_(Complaint.received_at > ts, and_(Complaint.received_at == ts, Complaint.id > cid)))
    size = session.scalar(select(func.count()).select_from(base.subquery()))
    rows = session.scalars(q.order_by(Complaint.received_at, Complaint.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor(rows[-1].received_at, rows[-1].id) if more and rows else None
    return size, rows, latest_triage(session, [c.id for c in rows]), nxt


def queue_size(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Complaint).where(Complaint.status.in_(QUEUE_STATUSES)))
