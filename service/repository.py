"""Queries: every read of complaints, triage results, decisions and responses. No HTTP, no model.

Functions take an open SQLAlchemy session (the caller owns the transaction) and return rows or plain values.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import String, and_, cast, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from service.errors import Invalid
from service.count_models import QueueCount
from service.models import MAX_ID, MERGED, QUEUE_STATUSES, Complaint, Decision, Response, TriageResult

EXACT_DUPLICATE_WINDOW = timedelta(days=90)


def latest_triage(session: Session, ids: list[int]) -> dict[int, TriageResult]:
    if not ids:
        return {}
    rows = session.scalars(select(TriageResult).where(TriageResult.complaint_id.in_(ids))
                           .order_by(TriageResult.id)).all()
    return {r.complaint_id: r for r in rows}  # the last one wins


def by_external_id(session: Session, keys: set[tuple[str, str]]
                   ) -> dict[tuple[str, str], tuple[Complaint, TriageResult | None]]:
    """Stored complaints by ``(channel, external_id)``: a channel's ids are unique within that channel."""
    if not keys:
        return {}
    rows = session.scalars(select(Complaint).where(Complaint.external_id.in_({e for _, e in keys}))).all()
    rows = [c for c in rows if (c.channel, c.external_id) in keys]
    triage = latest_triage(session, [c.id for c in rows])
    return {(c.channel, c.external_id): (c, triage.get(c.id)) for c in rows}


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
        ts = ts.astimezone(timezone.utc)  # 0001-01-01+14:00 has no UTC time: OverflowError
        number = int(cid)
        if not 0 <= number <= MAX_ID:
            raise ValueError("id out of range")
        return ts, number
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
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
    q: str | None = None                 # full-text search (masked text, area, address)
    opd: str | None = None               # lead or co-handling OPD, else the suggestion
    area: str | None = None              # kecamatan or kelurahan
    reported_from: datetime | None = None
    reported_to: datetime | None = None
    deadline: str | None = None          # due_today | overdue | overdue_3x
    assignee: str | None = None
    now: datetime | None = None
    today_end: datetime | None = None    # end of the tenant's current day (for due_today)


_WORD = re.compile(r"\w+", re.UNICODE)
PG_DOCUMENT = ("to_tsvector('simple', coalesce(masked_text, '') || ' ' || coalesce(kecamatan, '') || ' ' || "
               "coalesce(kelurahan, '') || ' ' || coalesce(address, ''))")  # the expression of ix_complaints_fts


def search_words(query: str) -> list[str]:
    """The words of a search box entry; nothing else reaches the full-text engine (no operators)."""
    return [w.casefold() for w in _WORD.findall(query)][:12]


def full_text(q, dialect: str, query: str):
    """Restrict ``q`` to complaints matching every word of ``query`` (as a prefix): FTS5 or PostgreSQL."""
    words = search_words(query)
    if not words:
        return q
    if dialect == "sqlite":
        match = " ".join(f'"{w}"*' for w in words)
        ids = select(literal_column("rowid")).select_from(text("complaints_fts")).where(
            text("complaints_fts MATCH :fts_query").bindparams(fts_query=match))
        return q.where(Complaint.id.in_(ids))
    tsquery = " & ".join(f"{w}:*" for w in words)
    return q.where(text(f"{PG_DOCUMENT} @@ to_tsquery('simple', :fts_query)").bindparams(fts_query=tsquery))


def filtered(f: ListFilters, dialect: str = "sqlite"):
    q = select(Complaint)
    if f.q:
        q = full_text(q, dialect, f.q)
    if f.opd:
        q = q.where(or_(Complaint.routed_opd == f.opd, and_(Complaint.routed_opd.is_(None),
                                                            Complaint.suggested_opd == f.opd),
                        cast(Complaint.co_opds, String).contains(_json_string(f.opd))))
    if f.area:
        q = q.where(or_(Complaint.kecamatan == f.area, Complaint.kelurahan == f.area))
    if f.reported_from:
        q = q.where(Complaint.reported_at >= f.reported_from)
    if f.reported_to:
        q = q.where(Complaint.reported_at < f.reported_to)
    if f.assignee:
        q = q.where(Complaint.assignee == f.assignee)
    if f.deadline and f.now:
        if f.deadline == "overdue":
            q = q.where(Complaint.due_at < f.now)
        elif f.deadline == "overdue_3x":
            q = q.where(Complaint.overdue3_at < f.now)
        elif f.deadline == "due_today" and f.today_end:
            q = q.where(Complaint.due_at >= f.now, Complaint.due_at <= f.today_end)
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


def _json_string(value: str) -> str:
    import json

    return json.dumps(value)


def list_page(session: Session, f: ListFilters, limit: int, cursor: str | None):
    """Newest first: (rows, triage by id, next cursor or None)."""
    q = filtered(f, session.get_bind().dialect.name)
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
    size = queue_size(session, reason)
    rows = session.scalars(q.order_by(Complaint.received_at, Complaint.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor(rows[-1].received_at, rows[-1].id) if more and rows else None
    return size, rows, latest_triage(session, [c.id for c in rows]), nxt


def queue_size(session: Session, reason: str | None = None) -> int:
    """Complaints in the review queue (with ``reason``), from the counts every write keeps: O(OPDs), not O(queue)."""
    return int(session.scalar(select(func.coalesce(func.sum(QueueCount.n), 0))
                              .where(QueueCount.reason == (reason or ""))) or 0)
