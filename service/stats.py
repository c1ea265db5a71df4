"""``GET /v1/stats`` and the dashboard, read from the statistics tables (``service.stats_daily``), not the complaints.

Complaints are counted by their own submission time (``reported_at``: ``submitted_at``, else the time the
server received it), bucketed in the tenant's time zone. Per OPD: received, disposed, answered, the median
and 90th percentile of time to disposition and time to answer, and the share within the deadline; the same
per period and OPD for the trends. Percentiles interpolate linearly between ranks (numpy's default) over
the duration histograms (``service.stats_percentiles``): exact when the ranks fall in buckets of one
duration, otherwise within the bucket width (``stats_daily.GROWTH``). Per OPD over the range (few groups, from
year and month rows) they are ranked in the database, one row per OPD; per period and OPD and per period (a
two-year range by week: about 6,000 groups, 50,000 buckets at 200,000 complaints) the buckets are read once in
order and ranked in Python, instead of two ranking queries that each sum and rank every bucket in SQL.

The cost is O(periods × OPDs) whatever the number of complaints: a range is read as whole years, months or
weeks where it has them and as days at its ends; a bound inside a day (``date_from`` 10:30) reads the
complaints of that part of the day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

import numpy as np
from sqlalchemy import select

from service.db import Database
from service.models import Complaint, Decision
from service.stats_daily import (ANSWER, COUNTS, DECIDED, FACT_COLUMNS, ROUTE, Delta, ensure_built, facts_of,
                                 period_start)
from service import stats_percentiles as hist
from service.tenant import Tenant

GRAIN = {"day": "d", "week": "w", "month": "m"}


def _next_start(start: date, grain: str) -> date:
    """The start of the next period (``date.max`` past the calendar's end: a range up to year 9999)."""
    try:
        if grain == "y":
            return start.replace(year=start.year + 1)
        if grain == "m":
            return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return start + timedelta(days=7 if grain == "w" else 1)
    except (OverflowError, ValueError):
        return date.max


def _split(day_a: date | None, day_b: date | None, grain: str) -> tuple[tuple | None, list[tuple]]:
    """[day_a, day_b) as whole periods of ``grain`` (their starts' range) and the days left over at each end."""
    first = day_a if day_a is None or period_start(day_a, grain) == day_a else _next_start(
        period_start(day_a, grain), grain)
    last = None if day_b is None else period_start(day_b, grain)  # periods starting before it end by day_b
    if first is not None and last is not None and first >= last:
        return None, [(day_a, day_b)]
    rest = [(day_a, first)] if day_a is not None and day_a < first else []
    if day_b is not None and last < day_b:
        rest.append((last, day_b))
    return (first, last), rest


def _between(column, lo, hi) -> list:
    return ([column >= lo] if lo is not None else []) + ([column < hi] if hi is not None else [])


class _Range:
    """Whole local days ``[day_a, day_b)`` (None: unbounded) and the raw parts of days at the bounds."""

    def __init__(self, tenant: Tenant, date_from: datetime | None, date_to: datetime | None):
        tz = tenant.calendar.tz
        self.zone = tz
        self.raw: list[tuple[datetime, datetime]] = []
        self.day_a = self.day_b = None
        if date_from is not None:
            local = date_from.astimezone(tz)
            self.day_a = local.date() if local.time() == time(0) else _next_start(local.date(), "d")
        if date_to is not None:
            self.day_b = date_to.astimezone(tz).date()
        if self.day_a is not None and self.day_b is not None and self.day_a >= self.day_b:
            self.day_a = self.day_b = date.min  # no whole day: every complaint in range is read
            if date_from < date_to:
                self.raw = [(date_from, date_to)]
            return
        if date_from is not None and self.day_a != date_from.astimezone(tz).date():
            self.raw.append((date_from, self._midnight(self.day_a)))
        if date_to is not None and self._midnight(self.day_b) < date_to:
            self.raw.append((self._midnight(self.day_b), date_to))

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.zone)


def _raw_delta(session, rng: _Range) -> Delta:
    """What the complaints and decisions inside the raw parts of days contribute (read row by row)."""
    delta = Delta(rng.zone)
    for lo, hi in rng.raw:
        for row in session.execute(select(*FACT_COLUMNS).where(*_between(Complaint.reported_at, lo, hi))):
            delta.complaint(facts_of(row))
        for d in session.execute(select(Decision.action, Decision.opd, Decision.suggested_opd, Decision.created_at)
                                 .where(Decision.action.in_(DECIDED), *_between(Decision.created_at, lo, hi))):
            delta.decision(d)
    return delta


def _counts(session, rng: _Range, grain: str, raw: Delta) -> tuple[list[tuple[date, str]], np.ndarray]:
    """The (period start, opd) keys in range and their counts, one row of :data:`COUNTS` per key (decisions under
    the unit they named, in the period they were made). An array, so the response's sums are a few numpy calls
    instead of a dict update per key and count (a two-year range by week: 6,000 keys)."""
    whole, rest = _split(rng.day_a, rng.day_b, grain)
    parts = ([(grain, *whole)] if whole is not None else []) + [("d", lo, hi) for lo, hi in rest]
    index: dict[tuple[date, str], int] = {}
    at: list[int] = []
    values: list[tuple] = []
    columns = ", ".join(COUNTS)
    for g, lo, hi in parts:
        fetched = hist.fetch(session, f"SELECT start, opd, {columns} FROM stats_counts", ["grain = :grain"],
                             {"grain": g}, lo, hi)
        starts: dict = {}
        for row in fetched:
            start, opd = row[0], row[1]
            period = starts.get(start)
            if period is None:
                period = starts[start] = period_start(hist.as_day(start), grain)
            i = index.setdefault((period, opd), len(index))
            at.append(i)
        values += fetched
    for (g, day, opd), cell in raw.counts.items():
        if g == "d":
            at.append(index.setdefault((period_start(day, grain), opd), len(index)))
            values.append((None, None, *[cell[c] for c in COUNTS]))
    out = np.zeros((len(index), len(COUNTS)), dtype=np.int64)
    if values:
        np.add.at(out, np.asarray(at), np.array([v[2:] for v in values], dtype=np.int64))
    return list(index), out


def _cover(day_a: date | None, day_b: date | None, grains: tuple[str, ...]) -> list[tuple[str, date, date]]:
    """[day_a, day_b) as few histogram rows as possible: whole periods of the first grain, the rest by the next."""
    if grains[0] == "d":
        return [("d", day_a, day_b)]
    whole, rest = _split(day_a, day_b, grains[0])
    out = [(grains[0], *whole)] if whole is not None else []
    for lo, hi in rest:
        out += _cover(lo, hi, grains[1:])
    return out


def _histograms(session, rng: _Range, raw: Delta, metric: str, grain: str | None) -> dict[tuple, dict]:
    """{(period start, opd): histogram} of ``metric`` over the range; ``grain`` None: {(None, opd): …}, from
    whole years and months where the range has them."""
    if grain is None:
        parts, label = _cover(rng.day_a, rng.day_b, ("y", "m", "d")), (lambda g, start: None)
    else:
        parts, label = _cover(rng.day_a, rng.day_b, (grain, "d")), (lambda g, start: period_start(start, grain))
    out = hist.read(session, parts, metric, label)
    hist.add_raw(out, raw.durations, metric, label)
    return out


def _percentiles(session, rng: _Range, raw: Delta, metric: str, grain: str | None) -> dict:
    """{(period start or None, opd): (median, p90)} of ``metric``. Ranked in the database; in Python from the
    histogram rows when parts of days at the bounds (read from the complaints) add to them."""
    if any(g == "d" and m == metric for g, _, _, m, _ in raw.durations):
        return {key: hist.percentiles(h) for key, h in _histograms(session, rng, raw, metric, grain).items()}
    grains = ("y", "m", "d") if grain is None else (grain, "d")
    return hist.ranked(session, _cover(rng.day_a, rng.day_b, grains), metric, grain)


def _answer_rows(session, rng: _Range, raw: Delta, grain: str) -> list[tuple]:
    """The time-to-answer buckets per period and OPD over the range (``hist.ordered``), with those of the parts
    of days at the bounds (read from the complaints) merged in, in the same order."""
    rows = hist.ordered(session, _cover(rng.day_a, rng.day_b, (grain, "d")), ANSWER, grain)
    extra = [(period_start(start, grain), opd, bucket, n, total)
             for (g, start, opd, m, bucket), (n, total) in raw.durations.items() if g == "d" and m == ANSWER and n]
    if not extra:
        return rows
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for period, opd, bucket, n, total in rows + extra:
        cell = cells[(hist.as_day(period), opd, bucket)]
        cell[0] += n
        cell[1] += total
    return [(*key, n, total) for key, (n, total) in sorted(cells.items()) if n > 0]


def _starts(tenant: Tenant):
    """``start(day)``: the period's start as an aware datetime, made once per day (thousands of rows per week)."""
    made: dict[date, datetime] = {}

    def start(day: date) -> datetime:
        at = made.get(day)
        if at is None:
            at = made[day] = datetime(day.year, day.month, day.day, tzinfo=tenant.calendar.tz)
        return at

    return start


def _summed(labels: list, values: np.ndarray) -> dict:
    """{label: {count: sum}} of the rows of ``values`` per label, in label order."""
    order = sorted(set(labels))
    at = {label: i for i, label in enumerate(order)}
    sums = np.zeros((len(order), len(COUNTS)), dtype=np.int64)
    if labels:
        np.add.at(sums, np.fromiter(map(at.__getitem__, labels), dtype=np.int64, count=len(labels)), values)
    return {label: dict(zip(COUNTS, row)) for label, row in zip(order, sums.tolist())}


def _share(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def compute_stats(db: Database, tenant: Tenant, period: str, date_from: datetime | None,
                  date_to: datetime | None, period_percentiles: bool = True) -> dict:
    """The statistics of ``GET /v1/stats``. Without ``period_percentiles`` (the dashboard, which does not show
    them) the rows of ``periods`` leave out their time-to-response percentiles; everything else is the same."""
    grain = GRAIN[period]
    rng = _Range(tenant, date_from, date_to)
    ensure_built(db, tenant.time_zone)  # one small read, unless a migration just created the tables
    with db.session() as session:
        raw = _raw_delta(session, rng)
        counts = _counts(session, rng, grain, raw)
        route = _percentiles(session, rng, raw, ROUTE, None)
        answer_opd = _percentiles(session, rng, raw, ANSWER, None)  # one row per OPD, over years and months
        # time to answer per period and OPD and per period: ranked here from one ordered read
        answer, answer_period = hist.grouped(_answer_rows(session, rng, raw, grain), period_percentiles)
    none = (None, None)
    keys, values = counts
    totals = dict(zip(COUNTS, values.sum(axis=0).tolist()))
    kept = np.flatnonzero(values[:, COUNTS.index("received")] > 0)  # decision-only rows are not OPD rows
    per_opd_counts = _summed([keys[i][1] for i in kept], values[kept])
    per_period = _summed([keys[i][0] for i in kept], values[kept])
    n, auto, n_dec, changed = totals["received"], totals["auto_routed"], totals["operator_routed"], totals["overridden"]
    periods = []
    as_start = _starts(tenant)
    received_at, responded_at = COUNTS.index("received"), COUNTS.index("responded")
    for key, row_values in sorted(zip([keys[i] for i in kept], values[kept].tolist())):
        start, opd = key
        row = {"period_start": as_start(start), "opd": opd, "received": row_values[received_at],
               "responded": row_values[responded_at]}
        if period_percentiles:
            row["time_to_response_median_s"], row["time_to_response_p90_s"] = answer.get(key, none)
        periods.append(row)
    per_opd = []
    for opd, r in sorted(per_opd_counts.items()):
        rm, rp = route.get((None, opd), none)
        am, ap = answer_opd.get((None, opd), none)
        per_opd.append({
            "opd": opd, "received": r["received"], "routed": r["routed"], "responded": r["responded"],
            "time_to_route_median_s": rm, "time_to_route_p90_s": rp,
            "time_to_response_median_s": am, "time_to_response_p90_s": ap,
            "disposed_within_deadline": _share(r["disposed_within"], r["disposed_judged"]),
            "answered_within_deadline": _share(r["answered_within"], r["answered_judged"]),
        })
    trend = []
    for start, r in sorted(per_period.items()):
        med, p90 = answer_period.get(start, none)
        trend.append({"period_start": as_start(start), "received": r["received"],
                      "responded": r["responded"], "time_to_response_median_s": med, "time_to_response_p90_s": p90,
                      "answered_within_deadline": _share(r["answered_within"], r["answered_judged"])})
    return {
        "period": period, "date_from": date_from, "date_to": date_to, "time_zone": tenant.time_zone,
        "totals": {
            "received": n, "auto_routed": auto, "auto_route_rate": _share(auto, n),
            "operator_routed": n_dec, "overridden": changed, "override_rate": _share(changed, n_dec),
            "responded": totals["responded"], "in_review": totals["in_review"],
        },
        "periods": periods,
        "per_opd": per_opd,
        "trend": trend,
    }
