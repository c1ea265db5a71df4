"""Recurring-problem groups kept up to date on intake: a :class:`pipeline.recurring.RecurringGrouper` in memory,
the groups in the database.

At start-up the grouper is filled — in a background thread, so the server is ready without waiting for it;
complaints stored meanwhile are filed right after it, in order — with the complaints of the last
``LAPOR_RECURRING_WINDOW_DAYS`` (default 180) in time order, each restored into the group the database says it belongs to (no re-linking, so groups
never change on a restart), from what is stored with each complaint: its near-duplicate features
(``dedup_features``) and the word forms that label groups (``complaint_recurrence.forms``) — no text is
analysed, so the cost follows the window, not the table (rows stored before either was are analysed once
and their features and forms stored). Window complaints without a recurrence row yet (stored before this
feature, or while it failed) are linked then, in one transaction (``service.recurring_bulk``). After each
intake batch is stored, :func:`file_stored` links the new complaints and writes the result: the complaint's
recurrence row, the group's row (size, first/last date, area, label), and — when a complaint bridges two
groups — the merge (members move to the older group, the younger one is deleted). The database is the truth;
with several server processes each links against its own index (complaints from a sibling process are seen
after a restart), as for duplicates.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
import weakref
from types import SimpleNamespace
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from pipeline.dedup.features import content_words
from pipeline.recurring import Assignment, RecurringGrouper
from service.db import Database
from service.duplicates import analysed, feature_row, features_of_row, keep_features
from service.models import Complaint, ComplaintRecurrence, DedupFeatures, RecurringGroup, utcnow
from service.recurring_bulk import file_in_bulk
from service.yielding import give_way, keep_out_of_collections
from service.recurring_rows import _record, _seconds, complaint_time, forms_json, readable_words

log = logging.getLogger(__name__)
_MAINTAINERS: "weakref.WeakKeyDictionary[Database, RecurringMaintainer]" = weakref.WeakKeyDictionary()


_COLUMNS = (Complaint.id, Complaint.text, Complaint.kelurahan, Complaint.kecamatan, Complaint.address,
            Complaint.submitted_at, Complaint.received_at, Complaint.routed_opd, Complaint.suggested_opd,
            Complaint.responded_at)
_STORED = (Complaint.id, Complaint.kelurahan, Complaint.kecamatan, Complaint.address, Complaint.submitted_at,
           Complaint.received_at, Complaint.routed_opd, Complaint.suggested_opd, Complaint.responded_at,
           ComplaintRecurrence.group_id, ComplaintRecurrence.complaint_id.label("known"), ComplaintRecurrence.forms,
           DedupFeatures.at, DedupFeatures.exact, DedupFeatures.kelurahan.label("kel_code"),
           DedupFeatures.kecamatan.label("kec_code"), DedupFeatures.terms, DedupFeatures.place, DedupFeatures.numbers)


def _texts(session, ids: list[int]) -> dict[int, str]:
    """The texts of complaints ``ids`` (those whose features or forms were never stored)."""
    out: dict[int, str] = {}
    for i in range(0, len(ids), 5000):
        out.update(session.execute(select(Complaint.id, Complaint.text).where(Complaint.id.in_(ids[i:i + 5000]))).all())
    return out


class RecurringMaintainer:
    """Files stored complaints into recurring groups (one writer at a time)."""

    # An intake during the start-up restore does not wait for it: its complaints are already stored and answered
    # (the response never carries a group), and the restore files them, in order, when it is done. Waiting here
    # only held the first requests after ready for up to this long.
    WAIT_SECONDS = 0.0

    def __init__(self, db: Database, grouper: RecurringGrouper):
        self.db = db
        self.grouper = grouper
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        self._loaded.set()
        self._pending: list[int] = []  # stored while the restore ran: filed, in order, right after it
        self._pending_lock = threading.Lock()

    @classmethod
    def from_database(cls, db: Database, window_days: float) -> "RecurringMaintainer":
        """Filled from the database before it returns."""
        self = cls(db, RecurringGrouper(window_days=window_days))
        self._load(window_days)
        return self

    @classmethod
    def in_background(cls, db: Database, window_days: float) -> "RecurringMaintainer":
        """Filled from the database in a thread, so the server is ready without waiting for it: nothing reads
        these groups but filing (the API and console read the database), and what is stored meanwhile is filed
        right after the restore (an intake does not wait for it: ``WAIT_SECONDS``), so complaints are filed in
        order, against the whole window, as before. When the
        window holds complaints without a recurrence row (after an upgrade), they are linked before this
        returns: the database's groups are complete once the server is ready."""
        self = cls(db, RecurringGrouper(window_days=window_days))
        if self._unfiled(window_days):
            self._load(window_days)
            return self
        self._loaded.clear()
        threading.Thread(target=self._load, args=(window_days,), name="recurring-restore", daemon=True).start()
        return self

    def _unfiled(self, window_days: float) -> bool:
        since = utcnow() - timedelta(days=window_days)
        try:
            with self.db.session() as session:
                return session.execute(
                    select(Complaint.id).outerjoin(ComplaintRecurrence, ComplaintRecurrence.complaint_id == Complaint.id)
                    .where(Complaint.received_at >= since, ComplaintRecurrence.complaint_id.is_(None)).limit(1)
                ).first() is not None
        except SQLAlchemyError:
            return False  # not migrated yet: _load says so

    def _load(self, window_days: float) -> None:
        try:
            with self._lock:
                self._restore(window_days)
        except Exception:  # filing then links against what was restored; the next start restores again
            log.exception("recurring groups: restore from the database failed")
        while True:  # then what was stored meanwhile, before anything newer
            with self._pending_lock:
                ids, self._pending = self._pending, []
                if not ids:
                    give_way()
                    keep_out_of_collections()  # the restored groups live as long as the process
                    self._loaded.set()
                    return
            try:
                self._file_ids(ids)
            except Exception:
                log.exception("recurring groups: could not file complaints %s", ids[:5])

    def _restore(self, window_days: float) -> None:
        db, started = self.db, time.perf_counter()
        since = utcnow() - timedelta(days=window_days)
        try:
            with db.session() as session:
                rows = session.execute(
                    select(*_STORED)
                    .outerjoin(ComplaintRecurrence, ComplaintRecurrence.complaint_id == Complaint.id)
                    .outerjoin(DedupFeatures, DedupFeatures.complaint_id == Complaint.id)
                    .where(Complaint.received_at >= since)).all()
                texts = _texts(session, [r.id for r in rows if r.terms is None or r.forms is None])
        except SQLAlchemyError as exc:  # not migrated yet: /readyz says so; start empty
            log.warning("recurring groups start empty: cannot read complaints (%s)", str(exc).splitlines()[0])
            rows, texts = [], {}
        rows.sort(key=lambda r: (complaint_time(r), r.id))
        missing, new_features, new_forms = [], [], []
        for r in rows:
            give_way()  # to requests in flight (about 0.1 ms of work a row; service.yielding)
            if r.known is None:
                missing.append(r)
                continue
            features = self._features(r, texts, new_features)
            if r.forms is not None:
                words = [tuple(p) for p in json.loads(r.forms)]
            else:
                words = content_words(texts[r.id])
                new_forms.append({"cid": r.id, "f": forms_json(words)})
            self.grouper.add(_record(r, ""), None if r.group_id is None else str(r.group_id), restore=True,
                             prepared=(features, words))
        keep_features(db, new_features)
        self._keep_forms(new_forms)
        if missing:  # complaints stored without a recurrence row: link them now, in time order
            file_in_bulk(self, missing, texts)
        log.info("recurring groups: %d complaints of the last %g days (%d newly linked, %d analysed) in %.1fs",
                 len(rows), window_days, len(missing), len(new_features) + len(new_forms),
                 time.perf_counter() - started)

    @staticmethod
    def _features(r, texts: dict[int, str], new: list[dict]):
        """The stored features of row ``r`` at its recurring time (analysed, and kept, when never stored)."""
        if r.terms is not None:
            f = features_of_row(r)
        else:
            f = analysed(SimpleNamespace(id=r.id, text=texts[r.id], kelurahan=r.kelurahan, kecamatan=r.kecamatan,
                                         address=r.address, submitted_at=r.submitted_at, received_at=r.received_at))
            new.append(feature_row(r.id, f))
        return dataclasses.replace(f, time=_seconds(complaint_time(r)))

    def _keep_forms(self, rows: list[dict]) -> None:
        if not rows:
            return
        try:
            with self.db.session(write=True) as session, session.begin():
                session.connection().execute(
                    update(ComplaintRecurrence.__table__)
                    .where(ComplaintRecurrence.__table__.c.complaint_id == bindparam("cid"))
                    .values(forms=bindparam("f")), rows)
        except SQLAlchemyError as exc:
            log.warning("recurring groups: word forms not stored (%s)", str(exc).splitlines()[0])

    def file(self, ids: list[int]) -> None:
        """Link newly stored complaints ``ids`` and persist their groups."""
        if not ids:
            return
        if not self._loaded.wait(self.WAIT_SECONDS):
            with self._pending_lock:
                if not self._loaded.is_set():  # the restore thread files them when it is done
                    self._pending.extend(ids)
                    return
        self._file_ids(ids)

    def _file_ids(self, ids: list[int]) -> None:
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
                words = content_words(r.text)
                self._persist(r, assignment, readable_words(words), forms_json(words))

    def _persist(self, r, a: Assignment, words: str, forms: str) -> None:
        gid = int(a.group) if a.group is not None else None
        now = utcnow()
        with self.db.session(write=True) as session, session.begin():
            if gid is not None and session.get(RecurringGroup, gid) is None:
                session.add(RecurringGroup(id=gid, size=0, first_at=complaint_time(r), last_at=complaint_time(r),
                                           label="", updated_at=now))
                session.flush()
            session.add(ComplaintRecurrence(complaint_id=r.id, group_id=gid, at=complaint_time(r),
                                            links=[{"id": int(x.id), "score": x.score, "text": x.text}
                                                   for x in a.links], words=words, forms=forms))
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
        found = _MAINTAINERS[db] = RecurringMaintainer.in_background(db, window_days)
    return found


def wait_restored(db: Database, timeout: float) -> bool:
    """Whether the groups of ``db`` are restored (no restore, or the start-up one done), waiting up to ``timeout``
    seconds: pages served meanwhile share the process with it (benchmarks time both states)."""
    found = _MAINTAINERS.get(db)
    return found is None or found._loaded.wait(timeout)


def file_stored(db: Database, ids: list[int]) -> None:
    """Called by intake after complaints are stored; never lets a grouping problem fail the intake."""
    maintainer = _MAINTAINERS.get(db)
    if maintainer is None or not ids:
        return
    try:
        maintainer.file(ids)
    except Exception:  # the complaint is stored; its group is filled in on the next start-up
        log.exception("recurring groups: could not file complaints %s", ids[:5])
