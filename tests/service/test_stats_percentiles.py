"""Percentiles ranked in the database (``stats_percentiles.ranked``) and ranked in Python from one ordered read
(``ordered`` + ``grouped``) equal those computed in Python from every histogram row (``read`` + ``percentiles``),
on SQLite and PostgreSQL: day rows folded into weeks and months, whole periods, one group per (period, OPD), per
OPD or per period, ties of ranks across buckets and empty buckets."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, delete

from fixtures.service_app import wipe
from service.count_models import StatsDuration
from service.stats import _cover
from service.stats_daily import period_start
from service import stats_percentiles as hist


@pytest.fixture
def filled(database_url):
    wipe(database_url)
    rng = random.Random(5)
    rows = []
    day0 = date(2025, 11, 20)
    for grain, starts in (("d", [day0 + timedelta(days=i) for i in range(75)]),
                          ("w", [period_start(day0, "w") + timedelta(weeks=i) for i in range(11)]),
                          ("m", [date(2025, m, 1) for m in range(9, 13)] + [date(2026, 1, 1), date(2026, 2, 1)]),
                          ("y", [date(2025, 1, 1), date(2026, 1, 1)])):
        for start in starts:
            for opd in ("Dinas A", "Dinas B", "Kelurahan C"):
                for bucket in rng.sample(range(0, 60), rng.randint(1, 12)):
                    n = rng.choice([0, 1, 1, 2, 3, 7, 40])  # zero counts are left out of a histogram
                    rows.append({"grain": grain, "metric": "answer", "start": start, "opd": opd, "bucket": bucket,
                                 "n": n, "total_ms": n * rng.randint(1000, 10 ** 9)})
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(delete(StatsDuration))
        conn.execute(StatsDuration.__table__.insert(), rows)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("day_a, day_b", [(None, None), (date(2025, 11, 24), date(2026, 1, 15)),
                                          (date(2025, 12, 3), date(2025, 12, 20)), (date(2026, 1, 1), None)])
@pytest.mark.parametrize("grain", [None, "d", "w", "m"])
def test_ranked_in_the_database_equals_python_over_every_row(filled, day_a, day_b, grain):
    from sqlalchemy.orm import Session

    grains = ("y", "m", "d") if grain is None else (grain, "d")
    parts = _cover(day_a, day_b, grains)
    label = (lambda g, start: None) if grain is None else (lambda g, start: period_start(start, grain))
    with Session(filled) as session:
        rows = hist.read(session, parts, "answer", label)
        for by_opd in (True, False):
            expected = {k: hist.percentiles(h) for k, h in
                        (rows if by_opd else hist.merged(rows, lambda key: key[0])).items()}
            expected = {k: v for k, v in expected.items() if v != (None, None)}
            got = hist.ranked(session, parts, "answer", grain, by_opd)
            assert got == expected and got


@pytest.mark.parametrize("day_a, day_b", [(None, None), (date(2025, 11, 24), date(2026, 1, 15)),
                                          (date(2025, 12, 3), date(2025, 12, 20)), (date(2026, 1, 1), None)])
@pytest.mark.parametrize("grain", ["d", "w", "m"])
def test_one_ordered_read_ranked_in_python_equals_python_over_every_row(filled, day_a, day_b, grain):
    """``ordered`` + ``grouped``: per (period, OPD) and per period from one read equal ``percentiles`` over every
    histogram row of the same parts, and the database's ranking of both."""
    from sqlalchemy.orm import Session

    parts = _cover(day_a, day_b, (grain, "d"))
    with Session(filled) as session:
        rows = hist.read(session, parts, "answer", lambda g, start: period_start(start, grain))
        ordered = hist.ordered(session, parts, "answer", grain)
        ranked = {by_opd: hist.ranked(session, parts, "answer", grain, by_opd) for by_opd in (True, False)}
    keys = [(hist.as_day(r[0]), *r[1:3]) for r in ordered]  # a period as a date or as SQLite's text of one
    assert keys == sorted(set(keys))  # (period, OPD, bucket): once, in order
    assert all(n > 0 for *_, n, _ in ordered)
    expected = [{k: hist.percentiles(h) for k, h in hists.items()} for hists in
                (rows, hist.merged(rows, lambda key: key[0]))]
    expected = [{k: v for k, v in e.items() if v != (None, None)} for e in expected]
    got = hist.grouped(ordered)
    assert list(got) == expected and all(expected)
    assert got[0] == ranked[True] and got[1] == ranked[False]
    without = hist.grouped(ordered, by_period_opd=False)
    assert without == ({}, got[1])


@pytest.mark.parametrize("n", [1, 2, 3, 10, 11, 101])
def test_ranked_cells_equal_numpy_over_the_durations_they_stand_for(n):
    """One duration per bucket (a bucket exact): the ranks read are numpy's linear-interpolation percentiles."""
    import numpy as np

    rng = random.Random(n)
    seconds = sorted(rng.sample(range(1, 10 ** 6), n))
    cells = [(1, s * 1000) for s in seconds]
    assert hist.grouped([(date(2026, 1, 5), "Dinas A", b, k, t) for b, (k, t) in enumerate(cells)])[0] == {
        (date(2026, 1, 5), "Dinas A"): tuple(round(float(np.percentile(seconds, q)), 3) for q in (50, 90))}


@pytest.mark.parametrize("seed", range(6))
def test_grouped_equals_percentiles_of_each_group_on_random_histograms(seed):
    """Many periods and OPDs, buckets shared between OPDs, counts of 1 (ranks on cell edges) and large ones:
    the array ranking gives, value for value, what ``percentiles`` gives for each group's histogram."""
    rng = random.Random(seed)
    rows, groups, by_period = [], {}, {}
    for week in range(rng.randint(1, 40)):
        period = date(2025, 1, 6) + timedelta(weeks=week)
        for opd in sorted(rng.sample([f"Dinas {c}" for c in "ABCDEFGH"], rng.randint(1, 8))):
            for bucket in sorted(rng.sample(range(60), rng.randint(1, 12))):
                n = rng.choice([1, 1, 2, 3, rng.randint(1, 5000)])
                total = n * rng.randint(0, 10 ** 9) + rng.randint(0, n)
                rows.append((period, opd, bucket, n, total))
                groups.setdefault((period, opd), []).append((bucket, n, total))
                by_period.setdefault(period, []).append((bucket, n, total))
    qs = (50, 90) if seed % 2 else (10, 50, 75, 90, 99)
    per_group, per_period = hist.grouped(rows, qs=qs)
    assert per_group == {k: hist.percentiles(h, qs) for k, h in groups.items()}
    assert per_period == {k: hist.percentiles(h, qs) for k, h in by_period.items()}
    assert hist.grouped(rows, by_period_opd=False, qs=qs) == ({}, per_period)
