"""The review queue as the console walks it, in SQL: counts per reason and OPD, a page, and an item's neighbours.

Order is the order of ``GET /v1/review`` (oldest received first, then id), served by the index
``ix_complaints_status_received``; nothing reads the whole queue into Python.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, and_, cast, func, or_, select

from service.db import Database
from service.models import QUEUE_STATUSES, Complaint
from service.workflow import REASONS

UNKNOWN_OPD = "(belum ada saran)"
_OPD = func.coalesce(Complaint.suggested_opd, UNKNOWN_OPD)


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
        total = session.scalar(select(func.count()).select_from(Complaint).where(*_where(None, None)))
        shown = session.scalar(select(func.count()).select_from(Complaint).where(*_where(reason, opd)))
        in_opd = session.scalar(select(func.count()).select_from(Complaint).where(*_where(None, opd)))
        per_reason = {r: session.scalar(select(func.count()).select_from(Complaint).where(*_where(r, opd)))
                      for r in REASONS}
        per_opd = dict(session.execute(select(_OPD, func.count()).where(*_where(reason, None)).group_by(_OPD)).all())
    return {"total": total, "shown": shown, "in_opd": in_opd, "per_reason": per_reason, "per_opd": per_opd}


def page_ids(db: Database, reason: str | None, opd: str | None, offset: int, limit: int) -> list[tuple[int, list]]:
    """(id, reasons) of one page of the filtered queue, oldest first."""
    with db.session() as session:
        rows = session.execute(select(Complaint.id, Complaint.review_reasons).where(*_where(reason, opd))
                               .order_by(Complaint.received_at, Complaint.id).offset(offset).limit(limit)).all()
    return [(r.id, list(r.review_reasons or [])) for r in rows]


def _first(session, conds, descending: bool = False) -> int | None:
    order = (Complaint.received_at.desc(), Complaint.id.desc()) if descending else (Complaint.received_at, Complaint.id)
    return session.scalar(select(Complaint.id).where(*conds).order_by(*order).limit(1))


def neighbours(db: Database, reason: str | None, opd: str | None, cid: int) -> tuple[int | None, int | None,
                                                                                     int | None, int]:
    """(1-based position or None, previous id, next id, size) of ``cid`` in the filtered queue."""
    conds = _where(reason, opd)
    with db.session() as session:
        size = session.scalar(select(func.count()).select_from(Complaint).where(*conds))
        here = session.execute(select(Complaint.received_at, Complaint.id).where(Complaint.id == cid, *conds)).first()
        if here is None:
            return None, None, _first(session, conds), size
        before = or_(Complaint.received_at < here.received_at,
                     and_(Complaint.received_at == here.received_at, Complaint.id < cid))
        after = or_(Complaint.received_at > here.received_at,
                    and_(Complaint.received_at == here.received_at, Complaint.id > cid))
        pos = session.scalar(select(func.count()).select_from(Complaint).where(*conds, before)) + 1
        return pos, _first(session, [*conds, before], descending=True), _first(session, [*conds, after]), size


def next_after(db: Database, reason: str | None, opd: str | None, cid: int, received_at: datetime | None) -> int | None:
    """The item to open after deciding ``cid``: the next one in queue order, else the oldest other one."""
    conds = [*_where(reason, opd), Complaint.id != cid]
    with db.session() as session:
        if received_at is not None:
            later = or_(Complaint.received_at > received_at,
                        and_(Complaint.received_at == received_at, Complaint.id > cid))
            found = _first(session, [*conds, later])
            if found is not None:
                return found
        return _first(session, conds)
