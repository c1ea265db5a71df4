"""Near-duplicate search for the live service: a :class:`pipeline.dedup.DuplicateFinder` kept in memory.

At start-up the index is filled from the database with the complaints of the duplicate window; each
stored complaint is added as it arrives (the ingest thread is the only writer). With several server
processes each keeps its own index: complaints stored by a sibling process are seen after a restart,
while exact re-submissions are always found through the database's text hash.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from pipeline.dedup import ComplaintFeatures, DuplicateFinder, Match
from pipeline.document import Document
from pipeline.triage import Triage, TriageItem
from service.db import Database
from service.models import Complaint

log = logging.getLogger(__name__)


class DatabaseDuplicateIndex:
    """The :class:`pipeline.triage.DuplicateIndex` of the service: a :class:`DuplicateFinder` filled from the database."""

    def __init__(self, finder: DuplicateFinder):
        self.finder = finder

    @property
    def threshold(self) -> float:
        return self.finder.threshold

    @classmethod
    def from_database(cls, db: Database, window_days: float) -> "DatabaseDuplicateIndex":
        started = time.perf_counter()
        since = datetime.now(timezone.utc) - timedelta(days=window_days)
        try:
            with db.session() as session:
                rows = session.execute(
                    select(Complaint.id, Complaint.text, Complaint.kelurahan, Complaint.kecamatan, Complaint.address,
                           Complaint.submitted_at, Complaint.received_at)
                    .where(Complaint.received_at >= since).order_by(Complaint.received_at, Complaint.id)
                ).all()
        except SQLAlchemyError as exc:  # not migrated yet: /readyz reports it; start with an empty index
            log.warning("duplicate index starts empty: cannot read complaints (%s)", str(exc).splitlines()[0])
            rows = []
        finder = DuplicateFinder(window_days=window_days).fit(
            Triage.features(TriageItem(r.text, r.kelurahan or "", r.kecamatan or "", r.address or "",
                                       r.submitted_at or r.received_at, str(r.id)), Document(r.text))
            for r in rows
        )
        log.info("duplicate index: %d complaints of the last %g days in %.1fs", len(rows), window_days,
                 time.perf_counter() - started)
        return cls(finder)

    def query(self, features: ComplaintFeatures) -> list[Match]:
        return self.finder.query(features)

    def add(self, features: ComplaintFeatures) -> None:
        self.finder.add(features)

    def is_duplicate(self, matches: list[Match]) -> bool:
        return self.finder.is_duplicate(matches)


def attach_duplicate_index(triage, db: Database, window_days: float) -> None:
    """Give ``triage`` the near-duplicate index of the last ``window_days`` (0 turns it off)."""
    if triage.dedup_index is None and window_days > 0:
        triage.dedup_index = DatabaseDuplicateIndex.from_database(db, window_days)
        triage.duplicate_threshold = triage.dedup_index.threshold
