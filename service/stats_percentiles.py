"""Median and 90th percentile of durations from the histogram rows of ``stats_durations``.

The histogram of a group is the sum of its rows over the range: whole years or months (or the output's
own periods) from their rows, the days left over at the range's ends from the day rows, and the part of a
day inside a bound (``date_from`` 10:30) from the complaints themselves, bucketed the same way. A bucket
stands for the mean of its durations; between ranks the value is interpolated linearly (numpy's default),
so a percentile is exact when its ranks fall in buckets of one duration and otherwise within the bucket
width (``stats_daily.GROWTH``). Rows are read untyped and in key order: a few thousand per request.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date
from itertools import accumulate, chain, groupby
from operator import itemgetter

from sqlalchemy import bindparam, text
from sqlalchemy.types import Date, String

from service.stats_daily import period_start

Histogram = list[tuple[int, int, int]]  # (bucket, n, total_ms), a bucket possibly in several entries


def as_day(value) -> date:
    """A ``start`` as the driver returns it (a date, or SQLite's ISO text) as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def fetch(session, sql: str, where: list[str], params: dict, lo: date | None, hi: date | None,
          order: str = "") -> list[tuple]:
    """The driver's tuples of ``sql WHERE where… [AND start in [lo, hi)] [ORDER BY order]``: no Row objects (half
    the read's time at 50,000 rows). ``params`` are text but the bounds, which are dates."""
    where, params = list(where), dict(params)
    for name, op, value in (("lo", ">=", lo), ("hi", "<", hi)):
        if value is not None:
            where.append(f"start {op} :{name}")
            params[name] = value
    q = text(f"{sql} WHERE {' AND '.join(where)}" + (f" ORDER BY {order}" if order else ""))
    q = q.bindparams(*[bindparam(k, type_=Date() if k in ("lo", "hi") else String()) for k in params])
    result = session.execute(q, params)
    rows = result.cursor.fetchall()
    result.close()
    return rows


def read(session, parts: list[tuple[str, date | None, date | None]], metric: str, label) -> dict[tuple, Histogram]:
    """{(label, opd): histogram} of ``metric`` from the rows of each (grain, first start, end) part;
    ``label(grain, start)`` names the group a row counts in (its period, or one label for the whole range)."""
    out: dict[tuple, Histogram] = defaultdict(list)
    for grain, lo, hi in parts:
        fetched = fetch(session, "SELECT start, opd, bucket, n, total_ms FROM stats_durations",
                        ["grain = :grain", "metric = :metric"], {"grain": grain, "metric": metric}, lo, hi)
        labels: dict = {}
        for start, opd, bucket, n, total in fetched:  # one fetch, not row by row
            key = labels.get(start)
            if key is None:
                key = labels[start] = label(grain, as_day(start))
            out[(key, opd)].append((bucket, n, total))
    return out


def add_raw(out: dict[tuple, Histogram], durations: dict, metric: str, label) -> None:
    """Add the day rows of a :class:`service.stats_daily.Delta` computed from complaints (the raw parts)."""
    for (grain, start, opd, m, bucket), (n, total) in durations.items():
        if grain == "d" and m == metric:
            out[(label("d", start), opd)].append((bucket, n, total))


def merged(hists: dict[tuple, Histogram], key_of) -> dict[tuple, Histogram]:
    out: dict[tuple, Histogram] = defaultdict(list)
    for key, hist in hists.items():
        out[key_of(key)].extend(hist)
    return out


def _interpolated(n: int, at, qs) -> tuple[float, ...]:
    """Linear interpolation between the ranks (numpy's default); ``at(rank)``: the duration (s) at a rank."""
    out = []
    for q in qs:
        lo = (n - 1) * q // 100
        frac = ((n - 1) * q % 100) / 100
        value = at(lo) + (frac * (at(lo + 1) - at(lo)) if lo + 1 < n else 0.0)
        out.append(round(max(0.0, value), 3))
    return tuple(out)


def percentiles(hist: Histogram | None, qs=(50, 90)) -> tuple[float | None, ...]:
    """Linear-interpolation percentiles (in seconds) of a histogram whose buckets stand for their mean."""
    cells: list[list[int]] = []  # [n, total] per bucket, in bucket order
    last = None
    for bucket, k, total in sorted(hist or ()):
        if bucket == last:
            cells[-1][0] += k
            cells[-1][1] += total
        else:
            cells.append([k, total])
            last = bucket
    cells = [c for c in cells if c[0] > 0]
    n = sum(c[0] for c in cells)
    if not n:
        return tuple(None for _ in qs)

    def at(rank: int) -> float:
        seen = 0
        for k, total in cells:
            seen += k
            if rank < seen:
                return total / k / 1000
        return cells[-1][1] / cells[-1][0] / 1000

    return _interpolated(n, at, qs)


def _period_of(column: str, grain: str, dialect: str) -> str:
    """SQL for the start of the ``grain`` period (week from Monday, month) holding the day in ``column``."""
    if grain == "d":
        return column
    if dialect == "postgresql":
        return f"CAST(date_trunc('{'week' if grain == 'w' else 'month'}', {column}) AS DATE)"
    if grain == "w":
        return f"date({column}, '-' || ((CAST(strftime('%w', {column}) AS INTEGER) + 6) % 7) || ' days')"
    return f"date({column}, 'start of month')"


def ranked(session, parts: list[tuple[str, date | None, date | None]], metric: str, grain: str | None,
           by_opd: bool = True, qs=(50, 90)) -> dict:
    """The percentiles :func:`percentiles` gives for each group, computed in the database: each group's histogram
    is summed and ranked there (window sums over its buckets), and only the buckets holding the ranks the
    interpolation reads come back, one row per group instead of every bucket of every row. Groups:
    ``(period start, opd)`` (``grain`` None: ``(None, opd)``), or the period alone when not ``by_opd``."""
    dialect = session.get_bind().dialect.name
    selects, params = [], {"metric": metric}
    for i, (g, lo, hi) in enumerate(parts):
        key = "''" if grain is None else ("start" if g == grain else _period_of("start", grain, dialect))
        where = [f"grain = :g{i}", "metric = :metric"]
        params[f"g{i}"] = g
        for name, op, value in ((f"lo{i}", ">=", lo), (f"hi{i}", "<", hi)):
            if value is not None:
                where.append(f"start {op} :{name}")
                params[name] = value
        selects.append(f"SELECT {key} AS k, {'opd' if by_opd else chr(39) * 2} AS opd, bucket, n, total_ms "
                       f"FROM stats_durations WHERE {' AND '.join(where)}")
    if not selects:
        return {}
    ranks, picks = [], []
    for q in qs:
        for step in (0, 1):  # the interpolation reads the ranks lo and lo + 1
            r = f"((c.tot - 1) * {int(q)} / 100 + {step})"
            ranks.append(f"(c.cum - c.n <= {r} AND {r} < c.cum)")
            picks += [f"MAX(CASE WHEN c.cum - c.n <= {r} AND {r} < c.cum THEN c.{col} END)" for col in ("n", "t")]
    sql = (f"WITH raw AS ({' UNION ALL '.join(selects)}), "
           "h AS (SELECT k, opd, bucket, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(total_ms) AS BIGINT) AS t FROM raw "
           "GROUP BY k, opd, bucket HAVING SUM(n) > 0), "
           "c AS (SELECT k, opd, n, t, CAST(SUM(n) OVER (PARTITION BY k, opd ORDER BY bucket) AS BIGINT) AS cum, "
           "CAST(SUM(n) OVER (PARTITION BY k, opd) AS BIGINT) AS tot FROM h) "
           f"SELECT c.k, c.opd, c.tot, {', '.join(picks)} FROM c WHERE {' OR '.join(ranks)} GROUP BY c.k, c.opd, c.tot")
    q = text(sql).bindparams(*[bindparam(k, type_=Date() if k[:2] in ("lo", "hi") else String()) for k in params])
    out = {}
    labels: dict = {}
    for k, opd, tot, *cells in session.execute(q, params):  # one row per group
        if grain is None:
            label = None
        elif (label := labels.get(k)) is None:
            label = labels[k] = as_day(k)
        found = {}
        for i, q_ in enumerate(qs):
            lo = (tot - 1) * q_ // 100
            for step in (0, 1):
                n, t = cells[4 * i + 2 * step], cells[4 * i + 2 * step + 1]
                if n:
                    found[lo + step] = t / n / 1000
        out[(label, opd) if by_opd else label] = _interpolated(tot, found.__getitem__, qs)
    return out


def ordered(session, parts: list[tuple[str, date | None, date | None]], metric: str, grain: str) -> list[tuple]:
    """Every non-empty bucket of ``metric`` over the parts as ``(period start, opd, bucket, n, total_ms)``, summed
    per period, OPD and bucket and ordered so (period, OPD, shortest duration first): one read from which
    :func:`grouped` ranks the percentiles of every grouping a response needs, instead of one ranking query per
    grouping. Each part is read in the order of the table's primary key (no sort, no grouping in the database);
    day rows folded into longer periods (the range's ends) are summed here. The parts' periods are disjoint
    (``service.stats._cover``), so their rows are put in order by their first period. A period start is a date, or
    the driver's text of one (SQLite) where the rows of a grain are returned as read: :func:`as_day` reads both
    (converting 50,000 rows one by one took 15 ms of a request)."""
    chunks = []
    for g, lo, hi in parts:
        rows = fetch(session, "SELECT start, opd, bucket, n, total_ms FROM stats_durations",
                     ["grain = :grain", "metric = :metric", "n > 0"], {"grain": g, "metric": metric}, lo, hi,
                     order="start, opd, bucket")
        if g != grain:  # days folded into their period: the same (period, opd, bucket) from several days
            labels: dict = {}
            cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
            for start, opd, bucket, n, total in rows:
                label = labels.get(start)
                if label is None:
                    label = labels[start] = period_start(as_day(start), grain)
                cell = cells[(label, opd, bucket)]
                cell[0] += n
                cell[1] += total
            rows = [(*key, n, total) for key, (n, total) in sorted(cells.items())]
        if rows:
            chunks.append(rows)
    chunks.sort(key=lambda rows: as_day(rows[0][0]))
    return chunks[0] if len(chunks) == 1 else list(chain.from_iterable(chunks))


def _ranked_cells(cells, qs) -> tuple[float | None, ...]:
    """:func:`percentiles` of cells ``(…, n, total_ms)`` in bucket order (no bucket twice)."""
    cum = list(accumulate(c[-2] for c in cells))
    if not cum or not cum[-1]:
        return tuple(None for _ in qs)

    def at(rank: int) -> float:
        cell = cells[bisect_right(cum, rank)]  # the first bucket whose running count passes the rank
        return cell[-1] / cell[-2] / 1000

    return _interpolated(cum[-1], at, qs)


def grouped(rows: list[tuple], by_period_opd: bool = True, qs=(50, 90)) -> tuple[dict, dict]:
    """Percentiles per ``(period, opd)`` (when ``by_period_opd``) and per period, from the rows of
    :func:`ordered` in its order. Each equals :func:`percentiles` of the group's histogram."""
    per_group, per_period = {}, {}
    for period, in_period in groupby(rows, itemgetter(0)):
        period = as_day(period)
        in_period = list(in_period)
        buckets: dict[int, list[int]] = {}
        for _, _, bucket, n, total in in_period:
            cell = buckets.get(bucket)
            if cell is None:
                buckets[bucket] = [n, total]
            else:
                cell[0] += n
                cell[1] += total
        per_period[period] = _ranked_cells([buckets[b] for b in sorted(buckets)], qs)
        if by_period_opd:
            for opd, group in groupby(in_period, itemgetter(1)):
                per_group[(period, opd)] = _ranked_cells(list(group), qs)
    return per_group, per_period
