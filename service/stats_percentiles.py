"""Median and 90th percentile of durations from the histogram rows of ``stats_durations``.

The histogram of a group is the sum of its rows over the range: whole years or months (or the output's
own periods) from their rows, the days left over at the range's ends from the day rows, and the part of a
day inside a bound (``date_from`` 10:30) from the complaints themselves, bucketed the same way. A bucket
stands for the mean of its durations; between ranks the value is interpolated linearly (numpy's default),
so a percentile is exact when its ranks fall in buckets of one duration and otherwise within the bucket
width (``stats_daily.GROWTH``). Rows are read untyped and in key order: a few thousand per request.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import bindparam, text
from sqlalchemy.types import Date, String

Histogram = list[tuple[int, int, int]]  # (bucket, n, total_ms), a bucket possibly in several entries


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def read(session, parts: list[tuple[str, date | None, date | None]], metric: str, label) -> dict[tuple, Histogram]:
    """{(label, opd): histogram} of ``metric`` from the rows of each (grain, first start, end) part;
    ``label(grain, start)`` names the group a row counts in (its period, or one label for the whole range)."""
    out: dict[tuple, Histogram] = defaultdict(list)
    for grain, lo, hi in parts:
        where, params = ["grain = :grain", "metric = :metric"], {"grain": grain, "metric": metric}
        if lo is not None:
            where.append("start >= :lo")
            params["lo"] = lo
        if hi is not None:
            where.append("start < :hi")
            params["hi"] = hi
        q = text(f"SELECT start, opd, bucket, n, total_ms FROM stats_durations WHERE {' AND '.join(where)}")
        q = q.bindparams(*[bindparam(k, type_=Date() if k in ("lo", "hi") else String()) for k in params])
        labels: dict = {}
        for start, opd, bucket, n, total in session.execute(q, params).all():  # one fetch, not row by row
            key = labels.get(start)
            if key is None:
                key = labels[start] = label(grain, _day(start))
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

    out = []
    for q in qs:
        lo = (n - 1) * q // 100
        frac = ((n - 1) * q % 100) / 100
        value = at(lo) + (frac * (at(lo + 1) - at(lo)) if lo + 1 < n else 0.0)
        out.append(round(max(0.0, value), 3))
    return tuple(out)
