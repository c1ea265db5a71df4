"""The statistics tables behind ``/v1/stats`` and the dashboard, kept in the same transaction as every write.

Reading statistics must not cost more as the complaints table grows, so each write that changes a
complaint (intake, decisions, answers) also applies its *change* to two small tables: ``stats_counts``
(counts per local day, week and month of submission and OPD; decisions in the period they were made),
``queue_counts`` (the review queue per suggested OPD and reason, for the console) and ``stats_durations`` (per day, week, month and year, measure and OPD, a histogram of durations in
log-scale buckets ``GROWTH`` wide, with the sum of the durations in each bucket). ``service.stats`` reads
them in O(periods × OPDs), not O(complaints).

What a complaint contributes is :func:`facts_of` → :class:`Delta`; a write passes the facts before and
after (:func:`apply`), so a decision that moves a complaint to another OPD or reopens it moves its counts.
:func:`ensure_built` (re)builds the tables from the complaints when they were never built or the tenant's
time zone changed (once, by ``db upgrade`` or the first start after it).
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from service.count_models import QueueCount, StatsCount, StatsDuration, StatsState
from service.models import Complaint, Decision
from service.workflow import MODEL_ROUTER, QUEUE_STATUSES

log = logging.getLogger(__name__)

UNKNOWN = "(tidak diketahui)"  # the OPD of a complaint neither routed nor given a suggestion
UNKNOWN_QUEUE_OPD = "(belum ada saran)"  # the queue's OPD of a complaint without a suggestion
GROWTH = 1.1  # bucket width: durations in one bucket differ by < 10 % (a percentile is that close, or exact)
COUNTS = ("received", "routed", "responded", "auto_routed", "in_review", "disposed_within", "disposed_judged",
          "answered_within", "answered_judged", "operator_routed", "overridden")
ROUTE, ANSWER = "route", "answer"
GRAINS = ("d", "w", "m")  # counts are kept per day, week and month: a long range reads few rows
# durations also per year (a range's totals per OPD), time to route not per week (only shown per OPD)
DURATION_GRAINS = {"route": ("d", "m", "y"), "answer": ("d", "w", "m", "y")}
DECIDED = ("route", "forward")  # decisions counted as an operator's routing


def period_start(day: date, grain: str) -> date:
    """The first day of the day (``d``), week from Monday (``w``), month (``m``) or year (``y``) holding ``day``."""
    if grain == "w":
        return day - timedelta(days=day.weekday())
    if grain == "m":
        return day.replace(day=1)
    if grain == "y":
        return day.replace(month=1, day=1)
    return day


def bucket_of(seconds: float) -> int:
    """The histogram bucket of a duration: 0 for under a second (or negative), then one per ``GROWTH`` step."""
    return 0 if seconds < 1.0 else 1 + int(math.log(seconds) / math.log(GROWTH))


@dataclass(frozen=True)
class Facts:
    """What statistics read of one complaint."""

    reported_at: datetime
    opd: str
    routed: bool
    routed_at: datetime | None
    responded_at: datetime | None
    auto_routed: bool
    in_review: bool
    disposed_within: bool | None
    answered_within: bool | None
    queue_opd: str | None = None  # in the review queue: its suggested OPD (the console's queue filter)
    reasons: tuple[str, ...] = ()


def facts_of(c) -> Facts:
    """The facts of a complaint row (ORM object or a row with the same attributes)."""
    return Facts(reported_at=c.reported_at or c.received_at, opd=c.routed_opd or c.suggested_opd or UNKNOWN,
                 routed=c.routed_opd is not None and c.routed_at is not None, routed_at=c.routed_at,
                 responded_at=c.responded_at, auto_routed=c.routed_by == MODEL_ROUTER,
                 in_review=c.status in QUEUE_STATUSES, disposed_within=c.disposed_within,
                 answered_within=c.answered_within,
                 queue_opd=(c.suggested_opd or UNKNOWN_QUEUE_OPD) if c.status in QUEUE_STATUSES else None,
                 reasons=tuple(sorted(set(c.review_reasons or ()))))


FACT_COLUMNS = (Complaint.reported_at, Complaint.received_at, Complaint.routed_opd, Complaint.suggested_opd,
                Complaint.routed_at, Complaint.responded_at, Complaint.routed_by, Complaint.status,
                Complaint.disposed_within, Complaint.answered_within, Complaint.review_reasons)


def local_day(when: datetime, zone: ZoneInfo) -> date:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(zone).date()


def seconds_between(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


class Delta:
    """Changes to the per-day tables, summed before they are written (one upsert per touched row)."""

    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self.counts: dict[tuple[str, date, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
        self.durations: dict[tuple[str, date, str, str, int], list[int]] = defaultdict(lambda: [0, 0])
        self.queue: dict[tuple[str, str], int] = defaultdict(int)  # (opd, reason; "" = any) → complaints

    def complaint(self, facts: Facts | None, sign: int = 1) -> "Delta":
        if facts is None:
            return self
        day = local_day(facts.reported_at, self.zone)
        rows = [self.counts[(grain, period_start(day, grain), facts.opd)] for grain in GRAINS]
        for name, value in (("received", True), ("routed", facts.routed), ("responded", facts.responded_at is not None),
                            ("auto_routed", facts.auto_routed), ("in_review", facts.in_review),
                            ("disposed_within", facts.disposed_within is True),
                            ("disposed_judged", facts.disposed_within is not None),
                            ("answered_within", facts.answered_within is True),
                            ("answered_judged", facts.answered_within is not None)):
            if value:
                for row in rows:
                    row[name] += sign
        if facts.queue_opd is not None:
            for reason in ("", *facts.reasons):
                self.queue[(facts.queue_opd, reason)] += sign
        for metric, end in ((ROUTE, facts.routed_at), (ANSWER, facts.responded_at)):
            if end is not None:
                seconds = seconds_between(end, facts.reported_at)
                b = bucket_of(seconds)
                for grain in DURATION_GRAINS[metric]:
                    cell = self.durations[(grain, period_start(day, grain), facts.opd, metric, b)]
                    cell[0] += sign
                    cell[1] += sign * round(seconds * 1000)
        return self

    def change(self, before: Facts | None, after: Facts | None) -> "Delta":
        if before != after:
            self.complaint(before, -1)
            self.complaint(after, +1)
        return self

    def decision(self, d) -> "Delta":
        """A decision row (``action``, ``opd``, ``suggested_opd``, ``created_at``)."""
        if d.action in DECIDED:
            day = local_day(d.created_at, self.zone)
            for grain in GRAINS:
                row = self.counts[(grain, period_start(day, grain), d.opd or UNKNOWN)]
                row["operator_routed"] += 1
                row["overridden"] += int(d.opd != (d.suggested_opd or ""))
        return self

    def rows(self) -> tuple[list[dict], list[dict], list[dict]]:
        counts = [{"grain": g, "start": start, "opd": opd, **values}
                  for (g, start, opd), values in sorted(self.counts.items()) if any(values.values())]
        durations = [{"grain": g, "start": start, "opd": opd, "metric": metric, "bucket": b, "n": n, "total_ms": total}
                     for (g, start, opd, metric, b), (n, total) in sorted(self.durations.items()) if n or total]
        queue = [{"opd": opd, "reason": reason, "n": n} for (opd, reason), n in sorted(self.queue.items()) if n]
        return counts, durations, queue

    def write(self, session) -> None:
        """Add the changes to the tables (rows in key order, so concurrent writers lock them in one order)."""
        counts, durations, queue = self.rows()
        dialect = session.get_bind().dialect.name
        for table, rows, keys, values in ((StatsCount.__table__, counts, ["grain", "start", "opd"], COUNTS),
                                          (StatsDuration.__table__, durations,
                                           ["grain", "start", "opd", "metric", "bucket"],
                                           ("n", "total_ms")),
                                          (QueueCount.__table__, queue, ["opd", "reason"], ("n",))):
            if not rows:
                continue
            stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
            stmt = stmt.on_conflict_do_update(index_elements=keys,
                                              set_={v: table.c[v] + stmt.excluded[v] for v in values})
            session.execute(stmt, rows)


def apply(session, zone: ZoneInfo, changes: list[tuple[Facts | None, Facts | None]], decisions=()) -> None:
    """Record complaint changes ``(before, after)`` (None: did not exist) and new decisions, in ``session``'s
    transaction."""
    delta = Delta(zone)
    for before, after in changes:
        delta.change(before, after)
    for d in decisions:
        delta.decision(d)
    delta.write(session)


def rebuild(session, zone_name: str) -> int:
    """Fill the per-day tables from the complaints and decisions (in the caller's transaction); rows read."""
    if session.get_bind().dialect.name == "postgresql":  # writers wait; they add their change after this
        session.execute(text("LOCK TABLE stats_counts, stats_durations, queue_counts, stats_state IN EXCLUSIVE MODE"))
    zone = ZoneInfo(zone_name)
    session.execute(delete(StatsCount))
    session.execute(delete(StatsDuration))
    session.execute(delete(QueueCount))
    session.execute(delete(StatsState))
    delta, n = Delta(zone), 0
    for row in session.execute(select(*FACT_COLUMNS).execution_options(yield_per=5000)):
        delta.complaint(facts_of(row))
        n += 1
    decided = select(Decision.action, Decision.opd, Decision.suggested_opd, Decision.created_at)
    for d in session.execute(decided.where(Decision.action.in_(DECIDED)).execution_options(yield_per=5000)):
        delta.decision(d)
    counts, durations, queue = delta.rows()
    if queue:
        session.execute(QueueCount.__table__.insert(), queue)
    if counts:
        session.execute(StatsCount.__table__.insert(), counts)
    if durations:
        session.execute(StatsDuration.__table__.insert(), durations)
    session.add(StatsState(id=1, time_zone=zone_name))
    return n


def is_built(session, zone_name: str) -> bool:
    return session.scalar(select(StatsState.time_zone).where(StatsState.id == 1)) == zone_name


def ensure_built(db, zone_name: str) -> bool:
    """Build the per-day tables unless they were built for this time zone; whether it rebuilt them."""
    with db.session() as session:
        if is_built(session, zone_name):
            return False
    started = time.perf_counter()
    with db.session(write=True) as session, session.begin():
        if is_built(session, zone_name):  # another process built them meanwhile
            return False
        n = rebuild(session, zone_name)
    log.info("statistics: per-day tables built from %d complaints in %.1fs", n, time.perf_counter() - started)
    return True


def build_stats(db, tenant) -> None:
    """At start-up: the per-day tables exist and fit the tenant's time zone (a database not migrated yet is
    reported by ``/readyz``; the tables are then built on the first statistics request)."""
    try:
        ensure_built(db, tenant.time_zone)
    except SQLAlchemyError as exc:
        log.warning("statistics: per-day tables not available yet (%s)", str(exc).splitlines()[0])
