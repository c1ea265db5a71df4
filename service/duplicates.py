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

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from pipeline.dedup import ComplaintFeatures, DuplicateFinder, parse_time
from service.db import Database
from service.models import Complaint

log = logging.getLogger(__name__)


class DatabaseDuplicateIndex:
    """The ``candidates(df)`` / ``add(ids, df)`` interface :class:`service.triage.Triage` expects."""

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
            ComplaintFeatures.build(str(r.id), _seconds(r.submitted_at or r.received_at), r.text,
                                    r.kelurahan or "", r.kecamatan or "", r.address or "")
            for r in rows
        )
        log.info("duplicate index: %d complaints of the last %g days in %.1fs", len(rows), window_days,
                 time.perf_counter() - started)
        return cls(finder)

    def candidates(self, df: pd.DataFrame) -> list[list[dict]]:
        out = []
        for row in _features(df, ids=None):
            out.append([{"complaint_id": int(m.id), "score": round(float(m.score), 4), "method": "index"}
                        for m in self.finder.query(row)])
        return out

    def add(self, ids: list[int], df: pd.DataFrame) -> None:
        for features in _features(df, ids=ids):
            self.finder.add(features)


def attach_duplicate_index(triage, db: Database, window_days: float) -> None:
    """Give ``triage`` the near-duplicate index of the last ``window_days`` (0 turns it off)."""
    if triage.dedup_index is None and window_days > 0:
        triage.dedup_index = DatabaseDuplicateIndex.from_database(db, window_days)
        triage.duplicate_threshold = triage.dedup_index.threshold


def _seconds(value) -> float:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    seconds = parse_time(value) if value is not None else None
    return seconds if seconds is not None else time.time()


def _features(df: pd.DataFrame, ids: list[int] | None) -> list[ComplaintFeatures]:
    n = len(df)
    column = lambda name: df[name].tolist() if name in df.columns else [""] * n  # noqa: E731
    times = df["created_at"].tolist() if "created_at" in df.columns else [None] * n
    return [
        ComplaintFeatures.build(str(ids[i]) if ids is not None else "", _seconds(_plain_time(times[i])),
                                text, kel or "", kec or "", addr or "")
        for i, (text, kel, kec, addr) in enumerate(zip(column("text"), column("kelurahan"), column("kecamatan"),
                                                       column("address")))
    ]


def _plain_time(value):
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value
