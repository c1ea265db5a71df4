"""The review queue as the console walks it, in SQL: counts per reason and OPD, a page, and an item's neighbours.

Order is the order of ``GET /v1/review`` (oldest received first, then id). Counts come from the table
``queue_counts`` kept by every write (``service.stats_daily``), so they cost O(OPDs × reasons) however long
the queue is; pages are keyset pages (after or before an item, never an offset); the first item an operator
may open is one query, over the whole filtered queue.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from datetime import datetime, timezone

from sqlalchemy import String, and_, cast, func, or_, select

from service.db import Database
from service.count_models import QueueCount
from service.models import QUEUE_STATUSES, Complaint, TriageResult
from service.stats_daily import UNKNOWN_QUEUE_OPD as UNKNOWN_OPD

__all__ = ["UNKNOWN_OPD", "counts", "page_ids", "neighbours", "next_after", "oldest_open", "cursor", "parse_cursor"]

_OPD = func.coalesce(Complaint.suggested_opd, UNKNOWN_OPD)
_ORDER = (Complaint.received_at, Complaint.id)


def _where(reason: str | None, opd: str | None) -> list:
    conds = [Complaint.status.in_(QUEUE_STATUSES)]
    if reason:
        conds.append(cast(Complaint.review_reasons, String).contains(f'"{reason}"'))
    if opd:
        conds.append(_OPD == opd)
    return conds


def counts(db: Database, reason: str | None, opd: str | None) -> dict:
    """Sizes: the whole queue, the filtered queue, per reason (within the OPD filter), per OPD (within the reason)."""
    with db.session() as session:
        rows = session.execute(select(QueueCount.opd, QueueCount.reason, QueueCount.n).where(QueueCount.n > 0)).all()
    per: dict[str, dict[str, int]] = defaultdict(dict)  # opd → {reason ("" = all): n}
    for o, r, n in rows:
        per[o][r] = n
    total = sum(v.get("", 0) for v in per.values())
    mine = [per.get(opd, {})] if opd else list(per.values())
    in_opd = sum(v.get("", 0) for v in mine)
    per_reason = defaultdict(int)
    for v in mine:
        for r, n in v.items():
            if r:
                per_reason[r] += n
    shown = per_reason.get(reason, 0) if reason else in_opd
    per_opd = {o: v.get(reason or "", 0) for o, v in per.items() if v.get(reason or "", 0) > 0}
    return {"total": total, "shown": shown, "in_opd": in_opd, "per_reason": dict(per_reason), "per_opd": per_opd}


def cursor(received_at: datetime, cid: int) -> str:
    return base64.urlsafe_b64encode(f"{received_at.isoformat()}|{cid}".encode()).decode().rstrip("=")


def parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    """A page link's position, or None (the first page) when it is missing or garbled."""
    if not value:
        return None
    try:
        when, cid = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode().split("|")
        ts = datetime.fromisoformat(when)
        return (ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)), int(cid)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _after(at: tuple[datetime, int]):
    return or_(Complaint.received_at > at[0], and_(Complaint.received_at == at[0], Complaint.id > at[1]))


def _before(at: tuple[datetime, int]):
    return or_(Complaint.received_at < at[0], and_(Complaint.received_at == at[0], Complaint.id < at[1]))


def _page_query(reason, opd, after, before, limit: int):
    conds = _where(reason, opd)
    if after is not None:
        conds.append(_after(after))
    if before is not None:
        return (select(Complaint.id, Complaint.received_at, Complaint.review_reasons)
                .where(*conds, _before(before)).order_by(*(c.desc() for c in _ORDER)).limit(limit + 1))
    return (select(Complaint.id, Complaint.received_at, Complaint.review_reasons)
            .where(*conds).order_by(*_ORDER).limit(limit + 1))


def page_ids(db: Database, reason: str | None, opd: str | None, limit: int, after=None, before=None) -> dict:
    """One keyset page of the filtered queue, oldest first: {"items": [(id, reasons)], "next": cursor or None,
    "previous": cursor or None}; the page after ``after``, before ``before``, else the first."""
    with db.session() as session:
        rows = session.execute(_page_query(reason, opd, after, before, limit)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        if before is not None:
            rows.reverse()
            earlier, later = more, bool(rows)  # the item the page came back from is after it
        else:
            later = more
            earlier = bool(rows) and after is not None and _first(
                session, [*_where(reason, opd), _before((rows[0].received_at, rows[0].id))]) is not None
    return {"items": [(r.id, list(r.review_reasons or [])) for r in rows],
            "next": cursor(rows[-1].received_at, rows[-1].id) if later else None,
            "previous": cursor(rows[0].received_at, rows[0].id) if earlier else None}


def oldest_open(db: Database, reason: str | None, opd: str | None, operator: str) -> int | None:
    """"Open the oldest": the oldest item of the filtered queue no other operator has claimed."""
    conds = [*_where(reason, opd), or_(Complaint.assignee.is_(None), Complaint.assignee == operator)]
    with db.session() as session:
        return _first(session, conds)


def _first(session, conds, descending: bool = False) -> int | None:
    order = (Complaint.received_at.desc(), Complaint.id.desc()) if descending else _ORDER
    return session.scalar(select(Complaint.id).where(*conds).order_by(*order).limit(1))


def neighbours(db: Database, reason: str | None, opd: str | None, cid: int, size: int | None = None
               ) -> tuple[int | None, int | None, int | None, int]:
    """(1-based position or None, previous id, next id, size) of ``cid`` in the filtered queue."""
    conds = _where(reason, opd)
    if size is None:
        size = counts(db, reason, opd)["shown"]
    with db.session() as session:
        here = session.execute(select(Complaint.received_at, Complaint.id).where(Complaint.id == cid, *conds)).first()
        if here is None:
            return None, None, _first(session, conds), size
        at = (here.received_at, cid)
        pos = session.scalar(select(func.count()).select_from(Complaint).where(*conds, _before(at))) + 1
        return pos, _first(session, [*conds, _before(at)], descending=True), _first(session, [*conds, _after(at)]), size


def next_after(db: Database, reason: str | None, opd: str | None, cid: int, received_at: datetime | None) -> int | None:
    """The item to open after deciding ``cid``: the next one in queue order, else the oldest other one."""
    conds = [*_where(reason, opd), Complaint.id != cid]
    with db.session() as session:
        if received_at is not None:
            found = _first(session, [*conds, _after((received_at, cid))])
            if found is not None:
                return found
        return _first(session, conds)


def statements(reason: str | None, opd: str | None, cid: int, received_at: datetime, operator: str) -> dict:
    """The queue's statements, for ``benchmarks/bench_service_scale.py --explain``."""
    at = (received_at, cid)
    conds = _where(reason, opd)
    return {
        "queue page": _page_query(reason, opd, None, None, 50),
        "queue page after a cursor": _page_query(reason, opd, at, None, 50),
        "open the oldest": select(Complaint.id).where(*conds, or_(Complaint.assignee.is_(None),
                                                                  Complaint.assignee == operator))
        .order_by(*_ORDER).limit(1),
        "position in the queue": select(func.count()).select_from(Complaint).where(*conds, _before(at)),
        "previous in the queue": select(Complaint.id).where(*conds, _before(at))
        .order_by(*(c.desc() for c in _ORDER)).limit(1),
        "complaint by id": select(Complaint).where(Complaint.id == cid),
        "its triage results": select(TriageResult).where(TriageResult.complaint_id == cid).order_by(TriageResult.id),
    }
