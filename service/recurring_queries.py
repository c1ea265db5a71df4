"""Reading recurring problems: groups in a period (with filters), the group of one complaint, rising topics.

Sizes, dates, units and answers are computed from the complaints themselves at read time (a complaint
answered since it was grouped counts as answered); the label was fixed when the group last changed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from pipeline.recurring.rising import SCOPES, TopicRecord, rising_topics
from pipeline.recurring.trend import group_trend
from pipeline.text.tokens import stem_token
from service.db import Database
from service.errors import Invalid
from service.models import Complaint, ComplaintRecurrence, RecurringGroup, utcnow
from service.workflow import DONE, RESPONDED

DEFAULT_PERIOD_DAYS = 180
_CHUNK = 500


def _ts(value: datetime) -> float:
    return value.astimezone(timezone.utc).timestamp()


def _chunks(values: list, n: int = _CHUNK):
    for i in range(0, len(values), n):
        yield values[i:i + n]


def days_before(ts: datetime, days: float, name: str) -> datetime:
    try:
        return ts - timedelta(days=days)
    except OverflowError:
        raise Invalid("invalid_query", f"{name}: tanggal terlalu awal.", loc=["query", name]) from None


def _period(date_from: datetime | None, date_to: datetime | None) -> tuple[datetime, datetime]:
    end = date_to or utcnow()
    return (date_from or days_before(end, DEFAULT_PERIOD_DAYS, "date_to")), end


def _same(a: str | None, b: str) -> bool:
    return (a or "").strip().casefold() == b.strip().casefold()


def list_groups(db: Database, date_from: datetime | None = None, date_to: datetime | None = None,
                opd: str | None = None, kecamatan: str | None = None, min_size: int = 2,
                limit: int = 100) -> list[dict]:
    """Recurring problems with at least ``min_size`` complaints in ``[date_from, date_to)``, largest first.

    ``size``/``complaint_ids``/``first_at``/``last_at`` describe the period; ``size_total`` and
    ``first_reported_at`` the whole history up to ``date_to``; ``trend`` is judged at ``date_to`` (or now).
    """
    start, end = _period(date_from, date_to)
    with db.session() as session:
        gids = sorted(set(session.scalars(
            select(ComplaintRecurrence.group_id).where(ComplaintRecurrence.group_id.is_not(None),
                                                       ComplaintRecurrence.at >= start,
                                                       ComplaintRecurrence.at < end))))
        members: dict[int, list] = defaultdict(list)
        groups: dict[int, RecurringGroup] = {}
        for part in _chunks(gids):
            for row in session.execute(
                    select(ComplaintRecurrence.group_id, ComplaintRecurrence.at, Complaint.id, Complaint.routed_opd,
                           Complaint.suggested_opd, Complaint.responded_at, Complaint.status, Complaint.kecamatan)
                    .join(Complaint, Complaint.id == ComplaintRecurrence.complaint_id)
                    .where(ComplaintRecurrence.group_id.in_(part), ComplaintRecurrence.at < end)):
                members[row.group_id].append(row)
            groups.update({g.id: g for g in session.scalars(select(RecurringGroup).where(RecurringGroup.id.in_(part)))})
    as_of = _ts(min(end, utcnow()))
    items = []
    for gid, rows in members.items():
        g = groups.get(gid)
        rows.sort(key=lambda r: (r.at, r.id))
        inside = [r for r in rows if r.at >= start]
        if g is None or len(inside) < min_size:
            continue
        units = Counter(r.routed_opd or r.suggested_opd for r in rows if r.routed_opd or r.suggested_opd)
        if opd and not any(_same(u, opd) for u in units):
            continue
        if kecamatan and not (_same(g.kecamatan, kecamatan) or any(_same(r.kecamatan, kecamatan) for r in rows)):
            continue
        trend, test = group_trend([_ts(r.at) for r in rows], as_of)
        items.append({
            "id": gid, "size": len(inside), "complaint_ids": [r.id for r in inside],
            "first_at": inside[0].at, "last_at": inside[-1].at, "trend": trend,
            "trend_test": test.as_dict() if test else None, "label": g.label, "kelurahan": g.kelurahan,
            "kecamatan": g.kecamatan, "units": [{"opd": u, "count": n} for u, n in units.most_common()],
            "answered": sum(1 for r in inside if r.responded_at is not None or r.status in (RESPONDED, DONE)),
            "size_total": len(rows), "first_reported_at": rows[0].at,
        })
    items.sort(key=lambda x: (-x["size"], -x["last_at"].timestamp(), x["id"]))
    return items[:limit]


def group_of_complaint(db: Database, complaint_id: int) -> dict | None:
    """The recurring problem ``complaint_id`` belongs to: its place among the reports, the first one, the label."""
    with db.session() as session:
        gid = session.scalar(select(ComplaintRecurrence.group_id).where(
            ComplaintRecurrence.complaint_id == complaint_id))
        if gid is None:
            return None
        g = session.get(RecurringGroup, gid)
        rows = session.execute(select(ComplaintRecurrence.complaint_id, ComplaintRecurrence.at)
                               .where(ComplaintRecurrence.group_id == gid)
                               .order_by(ComplaintRecurrence.at, ComplaintRecurrence.complaint_id)).all()
    ids = [r.complaint_id for r in rows]
    if g is None or complaint_id not in ids:
        return None
    return {"id": gid, "ordinal": ids.index(complaint_id) + 1, "size": len(ids), "first_at": rows[0].at,
            "last_at": rows[-1].at, "label": g.label, "kelurahan": g.kelurahan, "kecamatan": g.kecamatan,
            "complaint_ids": ids}


def rising(db: Database, as_of: datetime | None = None, recent_days: float = 30.0, baseline_days: float = 180.0,
           scope: str | None = None, min_recent: int = 5, limit: int = 50) -> list[dict]:
    """Topics rising per unit and per kecamatan (:func:`pipeline.recurring.rising.rising_topics`)."""
    end = as_of or utcnow()
    start = days_before(end, recent_days + baseline_days, "as_of")
    with db.session() as session:
        rows = session.execute(
            select(ComplaintRecurrence.complaint_id, ComplaintRecurrence.at, ComplaintRecurrence.words,
                   Complaint.routed_opd, Complaint.suggested_opd, Complaint.kecamatan)
            .join(Complaint, Complaint.id == ComplaintRecurrence.complaint_id)
            .where(ComplaintRecurrence.at >= start, ComplaintRecurrence.at <= end)).all()
    records = [TopicRecord(str(r.complaint_id), _ts(r.at), opd=r.routed_opd or r.suggested_opd or "",
                           kecamatan=r.kecamatan or "", words=[(w, stem_token(w)) for w in (r.words or "").split()])
               for r in rows]
    found = rising_topics(records, _ts(end), recent_days, baseline_days, min_recent=min_recent,
                          scopes=(scope,) if scope else SCOPES, limit=limit)
    out = []
    for t in found:
        d = t.as_dict()
        d["complaint_ids"] = [int(x) for x in d["complaint_ids"]]
        out.append(d)
    return out
