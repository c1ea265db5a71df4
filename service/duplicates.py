"""Near-duplicate search for the live service: a :class:`pipeline.dedup.DuplicateFinder` kept in memory.

Each complaint's features (:class:`~pipeline.dedup.ComplaintFeatures`) are stored with it, in the intake
transaction (table ``dedup_features``). At start-up the index is filled from those rows for the complaints
of the duplicate window only (index ``ix_complaints_received``): no text is analysed again, and the cost
follows the window, not the table. Complaints stored before the features were (an upgraded database) are
analysed once and their features stored. Each complaint this process stores is added as it arrives.
Several server processes (on one host or many) share the database, and each index catches up from it by
id watermark before it answers (see :class:`DatabaseDuplicateIndex`), so a near-duplicate of a complaint
accepted by a sibling process is found too. Exact re-submissions are also found through the database's
text hash.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from pipeline.dedup import ComplaintFeatures, DuplicateFinder, Match
from pipeline.document import Document
from pipeline.triage import Triage, TriageItem
from service.db import Database
from service.models import Complaint, DedupFeatures

log = logging.getLogger(__name__)


class DatabaseDuplicateIndex:
    """The :class:`pipeline.triage.DuplicateIndex` of the service: a :class:`DuplicateFinder` filled from the database.

    Several server processes share one database, each with its own index. Before it answers a query,
    the index *catches up*: it reads the complaints stored since the highest id it has seen (by any
    process; the id watermark) and adds those it does not hold yet, so a near-duplicate of a complaint
    accepted by another process is found. A sequence hands out ids before the transaction commits, so an
    id below the watermark that has not been seen yet (a *gap*) is looked for again for ``GAP_SECONDS``.
    """

    GAP_SECONDS = 10.0  # (``catch_up_seconds`` > 0 skips looks closer together than that: fewer queries,
    # at the price of missing what a sibling stored in that interval)
    MAX_GAPS = 1000

    def __init__(self, finder: DuplicateFinder, db: Database | None = None, window_days: float = 60.0,
                 catch_up_seconds: float = 0.0):
        self.finder = finder
        self.db = db
        self.window_days = window_days
        self.catch_up_seconds = catch_up_seconds
        self._held: set[int] = set()  # complaint ids in the index
        self._watermark = 0  # highest id in the index
        self._gaps: dict[int, float] = {}  # ids below the watermark not seen yet → when first missed
        self._checked = 0.0
        self._lock = threading.RLock()

    @property
    def threshold(self) -> float:
        return self.finder.threshold

    @classmethod
    def from_database(cls, db: Database, window_days: float) -> "DatabaseDuplicateIndex":
        started = time.perf_counter()
        index = cls(DuplicateFinder(window_days=window_days).fit([]), db, window_days)
        index.catch_up(force=True)
        index._gaps.clear()  # ids before the window (or rolled back) are not gaps
        log.info("duplicate index: %d complaints of the last %g days in %.1fs", len(index.finder), window_days,
                 time.perf_counter() - started)
        return index

    def catch_up(self, force: bool = False) -> int:
        """Add complaints other processes stored since the last look; the number added."""
        if self.db is None:
            return 0
        with self._lock:
            now = time.monotonic()
            if not force and now - self._checked < self.catch_up_seconds:
                return 0
            self._checked = now
            self._gaps = {i: t for i, t in self._gaps.items() if now - t < self.GAP_SECONDS and i not in self._held}
            since = datetime.now(timezone.utc) - timedelta(days=self.window_days)
            new = Complaint.id > self._watermark
            wanted = or_(new, Complaint.id.in_(sorted(self._gaps))) if self._gaps else new
            try:
                with self.db.session() as session:
                    rows = session.execute(
                        select(Complaint.id, *FEATURE_COLUMNS)
                        .outerjoin(DedupFeatures, DedupFeatures.complaint_id == Complaint.id)
                        .where(wanted, Complaint.received_at >= since).order_by(Complaint.id)
                    ).all()
            except SQLAlchemyError as exc:  # not migrated yet (/readyz says so) or the database is away
                log.warning("duplicate index: cannot read complaints (%s)", str(exc).splitlines()[0])
                return 0
            added, fresh = 0, []  # feature rows of complaints analysed here (not named ``analysed``: the function)
            for r in rows:
                if r.id in self._held:
                    continue
                if r.terms is None:  # stored before features were: analysed once, here
                    features = analysed(r)
                    fresh.append(feature_row(r.id, features))
                else:
                    features = features_of_row(r)
                self._add(r.id, features)
                added += 1
            if fresh and force:
                self._store(fresh)
            return added

    def _store(self, rows: list[dict]) -> None:
        keep_features(self.db, rows)

    def query(self, features: ComplaintFeatures) -> list[Match]:
        self.catch_up()
        with self._lock:
            return self.finder.query(features)

    def add(self, features: ComplaintFeatures) -> None:
        cid = int(features.id) if features.id.isdigit() else None
        with self._lock:
            if cid is None:
                self.finder.add(features)
            elif cid not in self._held:
                self._add(cid, features)

    def _add(self, cid: int, features: ComplaintFeatures) -> None:
        self.finder.add(features)
        self._held.add(cid)
        self._gaps.pop(cid, None)
        if cid > self._watermark:
            now = time.monotonic()
            for missing in range(max(self._watermark + 1, cid - self.MAX_GAPS), cid):
                if missing not in self._held:
                    self._gaps.setdefault(missing, now)
            self._watermark = cid

    def is_duplicate(self, matches: list[Match]) -> bool:
        return self.finder.is_duplicate(matches)

    def compare(self, q: ComplaintFeatures, other: ComplaintFeatures, _cache: dict | None = None) -> float:
        with self._lock:  # items of one batch, with this index's word weights
            return self.finder.compare(q, other, _cache)


FEATURE_COLUMNS = (Complaint.text, Complaint.kelurahan, Complaint.kecamatan, Complaint.address,
                   Complaint.submitted_at, Complaint.received_at, DedupFeatures.at, DedupFeatures.exact,
                   DedupFeatures.kelurahan.label("kel_code"), DedupFeatures.kecamatan.label("kec_code"),
                   DedupFeatures.terms, DedupFeatures.place, DedupFeatures.numbers)
_U64 = 1 << 64


def keep_features(db: Database, rows: list[dict]) -> None:
    """Keep the features of complaints analysed after they were stored (``feature_row``s), so no later start
    analyses them again (a row another process kept meanwhile stays as it is)."""
    if not rows:
        return
    try:
        with db.session(write=True) as session, session.begin():
            dialect = session.get_bind().dialect.name
            stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(DedupFeatures.__table__)
            session.execute(stmt.on_conflict_do_nothing(index_elements=["complaint_id"]), rows)
    except SQLAlchemyError as exc:
        log.warning("duplicate index: features not stored (%s)", str(exc).splitlines()[0])


def analysed(r) -> ComplaintFeatures:
    """The features of a stored complaint row (``FEATURE_COLUMNS``) whose features were never stored."""
    return Triage.features(TriageItem(r.text, r.kelurahan or "", r.kecamatan or "", r.address or "",
                                      r.submitted_at or r.received_at, str(r.id)), Document(r.text))


def feature_row(cid: int, f: ComplaintFeatures) -> dict:
    """The ``dedup_features`` row of complaint ``cid``."""
    exact = int(f.exact)
    return {"complaint_id": cid, "at": float(f.time), "exact": exact - _U64 if exact >= 1 << 63 else exact,
            "kelurahan": int(f.kelurahan), "kecamatan": int(f.kecamatan),
            "terms": _bytes(f.terms), "place": _bytes(f.place), "numbers": _bytes(f.numbers)}


def features_of_row(r) -> ComplaintFeatures:
    return ComplaintFeatures(id=str(r.id), time=float(r.at), exact=int(r.exact) % _U64, terms=_array(r.terms),
                             place=_array(r.place), numbers=_array(r.numbers), kelurahan=int(r.kel_code),
                             kecamatan=int(r.kec_code))


def _bytes(values: np.ndarray) -> bytes:
    return np.asarray(values, dtype="<u4").tobytes()


def _array(blob: bytes) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<u4").astype(np.uint32)


def store_features(session, ids: list[int], features: list[ComplaintFeatures]) -> None:
    """Store the features of new complaints (in the intake transaction)."""
    if ids:
        session.execute(DedupFeatures.__table__.insert(), [feature_row(i, f) for i, f in zip(ids, features)])


def attach_duplicate_index(triage, db: Database, window_days: float) -> None:
    """Give ``triage`` the near-duplicate index of the last ``window_days`` (0 turns it off)."""
    if triage.dedup_index is None and window_days > 0:
        triage.dedup_index = DatabaseDuplicateIndex.from_database(db, window_days)
        triage.duplicate_threshold = triage.dedup_index.threshold
