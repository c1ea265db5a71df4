"""Recurring-problem groups kept up to date on intake: a :class:`pipeline.recurring.RecurringGrouper` in memory,
the groups in the database.

At start-up the grouper is filled with the complaints of the last ``LAPOR_RECURRING_WINDOW_DAYS`` (default
180) in time order, each restored into the group the database says it belongs to (no re-linking, so groups
never change on a restart); window complaints without a recurrence row yet (stored before this feature, or
while it failed) are linked then. After each intake batch is stored, :func:`file_stored` links the new
complaints and writes the result: the complaint's recurrence row, the group's row (size, first/last date,
area, label), and — when a complaint bridges two groups — the merge (members move to the older group, the
younger one is deleted). The database is the truth; with several server processes each links against its own
index (complaints from a sibling process are seen after a restart), as for duplicates.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from pipeline.dedup.features import content_words
from pipeline.recurring import Assignment, RecurringComplaint, RecurringGrouper
from service.db import Database
from service.models import Complaint, ComplaintRecurrence, RecurringGroup, utcnow

log = logging.getLogger(__name__)
_MAINTAINERS: "weakref.WeakKeyDictionary[Database, RecurringMaintainer]" = weakref.WeakKeyDictionary()


def complaint_time(c) -> datetime:
    return c.submitted_at or c.received_at


def _seconds(value: datetime) -> float:
    return value.astimezone(timezone.utc).timestamp() if value.tzinfo else value.replace(tzinfo=timezone.utc).timestamp()


def _record(c) -> RecurringComplaint:
    # the unit only counts once decided (auto-routed or by an operator): a mere suggestion is too noisy to
    # keep two reports of one problem apart
    return RecurringComplaint(str(c.id), _seconds(complaint_time(c)), c.text, c.kelurahan or "", c.kecamatan or "",
                              c.address or "", c.routed_opd or "", c.responded_at is not None)


_COLUMNS = (Complaint.id, Complaint.text, Complaint.kelurahan, Complaint.kecamatan, Complaint.address,
            Complaint.submitted_at, Complaint.received_at, Complaint.routed_opd, Complaint.suggested_opd,
            Complaint.responded_at)


class RecurringMaintainer:
    """Files stored complaints into recurring groups (one writer at a time)."""

    def __init__(self, db: Database, grouper: RecurringGrouper):
        self.db = db
        self.grouper = grouper
        self._lock = threading.Lock()

    @classmethod
    def from_database(cls, db: Database, window_days: float) -> "RecurringMaintainer":
        started = time.perf_counter()
        self = cls(db, RecurringGrouper(window_days=window_days))
        since = utcnow() - timedelta(days=window_days)
        try:
            with db.session() as session:
                rows = session.execute(
                    select(*_COLUMNS, ComplaintRecurrence.group_id, ComplaintRecurrence.complaint_id.label("known"))
                    .outerjoin(ComplaintRecurrence, ComplaintRecurrence.complaint_id == Complaint.id)
                    .where(Complaint.received_at >= since)).all()
        except SQLAlchemyError as exc:  # not migrated yet: /readyz says so; start empty
            log.warning("recurring groups start empty: cannot read complaints (%s)", str(exc).splitlines()[0])
            rows = []
        rows.sort(key=lambda r: (complaint_time(r), r.id))
        missing = []
        for r in rows:
            if r.known is None:
                missing.append(r)
                continue
            self.grouper.add(_record(r), None if r.group_id is None else str(r.group_id), restore=True)
        if missing:  # complaints stored without a recurrence row: link them now, in time order
            self._file_rows(missing)
        log.info("recurring groups: %d complaints of the last %g days (%d newly linked) in %.1fs", len(rows),
                 window_days, len(missing), time.perf_counter() - started)
        return self

    def file(self, ids: list[int]) -> None:
        """Link newly stored complaints ``ids`` and persist their groups."""
        if not ids:
            return
        with self.db.session() as session:
            rows = session.execute(select(*_COLUMNS).where(Complaint.id.in_(ids))).all()
        rows.sort(key=lambda r: (complaint_time(r), r.id))
        self._file_rows(rows)

    def _file_rows(self, rows) -> None:
        with self._lock:
            for r in rows:
                if r.id in self.grouper:
                    continue  # already filed (a retry)
                assignment = self.grouper.add(_record(r))
                words = " ".join(dict.fromkeys(w for w, _ in content_words(r.text) if w.isalpha() and len(w) >= 3))
                self._persist(r, assignment, words)

    def _persist(self, r, a: Assignment, words: str) -> None:
        gid = int(a.group) if a.group is not None else None
        now = utcnow()
        with self.db.session(write=True) as session, session.begin():
            if gid is not None and session.get(RecurringGroup, gid) is None:
                session.add(RecurringGroup(id=gid, size=0, first_at=complaint_time(r), last_at=complaint_time(r),
                                           label="", updated_at=now))
                session.flush()
            session.add(ComplaintRecurrence(complaint_id=r.id, group_id=gid, at=complaint_time(r),
                                            links=[{"id": int(x.id), "score": x.score, "text": x.text}
                                                   for x in a.links], words=words))
            if gid is None:
                return
            session.flush()
            absorbed = [int(x) for x in a.absorbed]
            joined = [int(x) for x in a.joined]
            session.execute(update(ComplaintRecurrence).where(
                ComplaintRecurrence.complaint_id.in_(joined) | ComplaintRecurrence.group_id.in_(absorbed or [-1]))
                .values(group_id=gid))
            if absorbed:
                session.execute(delete(RecurringGroup).where(RecurringGroup.id.in_(absorbed)))
            self._refresh(session, gid, now)

    def _refresh(self, session, gid: int, now: datetime) -> None:
        size, first, last = session.execute(
            select(func.count(), func.min(ComplaintRecurrence.at), func.max(ComplaintRecurrence.at))
            .where(ComplaintRecurrence.group_id == gid)).one()
        areas = Counter(session.execute(
            select(Complaint.kelurahan, Complaint.kecamatan).join(
                ComplaintRecurrence, ComplaintRecurrence.complaint_id == Complaint.id)
            .where(ComplaintRecurrence.group_id == gid)).all())
        (kel, kec), _ = areas.most_common(1)[0]
        g = self.grouper.groups_.get(str(gid))
        label = self.grouper.label(g) if g is not None else ""
        session.execute(update(RecurringGroup).where(RecurringGroup.id == gid).values(
            size=size, first_at=first, last_at=last, kelurahan=kel, kecamatan=kec, label=label[:300],
            updated_at=now))


def attach_recurring(db: Database, window_days: float) -> RecurringMaintainer | None:
    """Keep recurring groups for ``db`` up to date on intake (0 days turns it off)."""
    if window_days <= 0:
        return None
    found = _MAINTAINERS.get(db)
    if found is None:
        found = _MAINTAINERS[db] = RecurringMaintainer.from_database(db, window_days)
    return found


def file_stored(db: Database, ids: list[int]) -> None:
    """Called by intake after complaints are stored; never lets a grouping problem fail the intake."""
    maintainer = _MAINTAINERS.get(db)
    if maintainer is None or not ids:
        return
    try:
        maintainer.file(ids)
    except Exception:  # the complaint is stored; its group is filled in on the next start-up
        log.exception("recurring groups: could not file complaints %s", ids[:5])
