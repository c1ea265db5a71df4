"""Percentiles ranked in the database (``stats_percentiles.ranked``) equal those computed in Python from every
histogram row (``read`` + ``percentiles``), on SQLite and PostgreSQL: day rows folded into weeks and months,
whole periods, one group per OPD or per period, ties of ranks across buckets and empty buckets."""

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
