"""Statistics from the per-day tables equal the full-table computation they replace (``full_scan_stats``), on
SQLite and PostgreSQL: after intake, disposition, forwarding, answers, merges (an answer reaching the merged
complaint), unmerge and reopen; for every period and for date ranges on and off local midnight. The tables
kept write by write equal the tables rebuilt from the complaints."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from service import stats, stats_daily
from service import stats_percentiles as hist
from service.count_models import StatsCount, StatsDuration
from service.stats import compute_stats
from fixtures.full_scan_stats import compute_stats as full_scan_stats
from fixtures.stats_history import WITA, operator_history


def assert_same(new: dict, old: dict, case: str, tolerance: float = stats_daily.GROWTH - 1) -> None:
    """Counts and shares exactly; percentiles exactly or within one bucket's width."""
    def same(a, b, where):
        if isinstance(a, dict):
            assert a.keys() == b.keys(), where
            for k in a:
                same(a[k], b[k], f"{where}.{k}")
        elif isinstance(a, list):
            assert len(a) == len(b), (where, a, b)
            for i, (x, y) in enumerate(zip(a, b)):
                same(x, y, f"{where}[{i}]")
        elif where.endswith("_s") and a is not None and b is not None:
            assert math.isclose(a, b, rel_tol=tolerance, abs_tol=0.01), (where, a, b)
        else:
            assert a == b, (where, a, b)

    same(new, old, case)


def ranges() -> list[tuple[datetime | None, datetime | None]]:
    """Date ranges on and off local midnight, open at either end, inside days and inside one day."""
    now = datetime.now(timezone.utc)
    midnight = (now - timedelta(days=40)).astimezone(WITA).replace(hour=0, minute=0, second=0, microsecond=0)
    return [(None, None), (midnight, None), (None, midnight), (midnight, midnight + timedelta(days=21)),
            (midnight + timedelta(hours=10, minutes=15), now - timedelta(days=3, hours=5)),  # inside days
            (midnight + timedelta(hours=3), midnight + timedelta(hours=20)),  # inside one day
            (midnight - timedelta(days=30, minutes=45), None)]


def test_stats_equal_the_full_table_computation_after_an_operators_work(svc):
    operator_history(svc)
    db, tenant = svc.app.state.db, svc.app.state.tenant
    for period in ("day", "week", "month"):
        for lo, hi in ranges():
            assert_same(compute_stats(db, tenant, period, lo, hi), full_scan_stats(db, tenant, period, lo, hi),
                        f"{period} {lo} {hi}")
    everything = compute_stats(db, tenant, "month", None, None)
    assert everything["totals"]["received"] == 16 and everything["totals"]["operator_routed"] >= 5
    assert everything["totals"]["responded"] >= 8 and everything["totals"]["in_review"] >= 1


def per_grouping_histograms(db, tenant, period: str, lo, hi) -> tuple[dict, dict, dict]:
    """Time-to-answer percentiles per (period, OPD), per period and per OPD each from its own histograms (the
    OPD's over whole years and months), as ``compute_stats`` ranked them before its one ordered read."""
    grain = stats.GRAIN[period]
    rng = stats._Range(tenant, lo, hi)
    with db.session() as session:
        raw = stats._raw_delta(session, rng)
        by_period_opd = stats._histograms(session, rng, raw, stats_daily.ANSWER, grain)
        by_opd = stats._histograms(session, rng, raw, stats_daily.ANSWER, None)
    by_period = hist.merged(by_period_opd, lambda key: key[0])
    return tuple({k: hist.percentiles(h) for k, h in hists.items()} for hists in (by_period_opd, by_period, by_opd))


def test_time_to_answer_from_one_ordered_read_equals_each_groupings_own_ranking(svc):
    """Exactly equal, not within a bucket: the same histograms ranked the same way, on both databases."""
    operator_history(svc)
    db, tenant = svc.app.state.db, svc.app.state.tenant
    none = (None, None)
    for period in ("day", "week", "month"):
        for lo, hi in ranges():
            got = compute_stats(db, tenant, period, lo, hi)
            by_period_opd, by_period, by_opd = per_grouping_histograms(db, tenant, period, lo, hi)
            case = f"{period} {lo} {hi}"
            def answer(row):
                return row["time_to_response_median_s"], row["time_to_response_p90_s"]

            for p in got["periods"]:
                assert answer(p) == by_period_opd.get((p["period_start"].date(), p["opd"]), none), case
            for t in got["trend"]:
                assert answer(t) == by_period.get(t["period_start"].date(), none), case
            for o in got["per_opd"]:
                assert answer(o) == by_opd.get((None, o["opd"]), none), case
            without = compute_stats(db, tenant, period, lo, hi, period_percentiles=False)
            assert [{k: v for k, v in p.items() if not k.endswith("_s")} for p in got["periods"]] == without["periods"]
            assert {k: v for k, v in got.items() if k != "periods"} == {k: v for k, v in without.items()
                                                                          if k != "periods"}, case
    answered = compute_stats(db, tenant, "week", None, None)
    assert any(p["time_to_response_median_s"] is not None for p in answered["periods"])
    assert any(o["time_to_response_median_s"] is not None for o in answered["per_opd"])


def _tables(db) -> tuple[set, set]:
    with db.session() as session:
        counts = {tuple(r) for r in session.execute(select(*StatsCount.__table__.c))
                  if any(r[3:])}  # a row whose counts all went back to 0 is the same as no row
        durations = {tuple(r) for r in session.execute(select(*StatsDuration.__table__.c)) if r.n}
    return counts, durations


def test_tables_kept_write_by_write_equal_the_tables_rebuilt_from_the_complaints(svc):
    operator_history(svc)
    db, tenant = svc.app.state.db, svc.app.state.tenant
    kept = _tables(db)
    assert kept[0] and kept[1]
    with db.session(write=True) as session, session.begin():
        stats_daily.rebuild(session, tenant.time_zone)
    assert _tables(db) == kept


def test_tables_are_rebuilt_when_the_time_zone_changes(svc):
    svc.submit("Jalan rusak di Benteng", submitted_at="2025-03-10T23:30:00+08:00")
    db = svc.app.state.db
    assert not stats_daily.ensure_built(db, svc.app.state.tenant.time_zone)  # built at start-up
    assert stats_daily.ensure_built(db, "UTC")
    assert _days(db) == ["2025-03-10"]  # 15:30 UTC
    assert stats_daily.ensure_built(db, "Asia/Tokyo")
    assert _days(db) == ["2025-03-11"]  # 00:30 in Tokyo


def _days(db) -> list[str]:
    return sorted({r[1].isoformat() for r in _tables(db)[0] if r[0] == "d"})
