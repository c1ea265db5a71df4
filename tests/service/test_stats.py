"""Statistics from the per-day tables equal the full-table computation they replace (``full_scan_stats``), on
SQLite and PostgreSQL: after intake, disposition, forwarding, answers, merges (an answer reaching the merged
complaint), unmerge and reopen; for every period and for date ranges on and off local midnight. The tables
kept write by write equal the tables rebuilt from the complaints."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from service import stats_daily
from service.count_models import StatsCount, StatsDuration
from service.stats import compute_stats
from fixtures.full_scan_stats import compute_stats as full_scan_stats

WITA = ZoneInfo("Asia/Makassar")
TEXTS = ["Jalan rusak berlubang di depan sekolah", "Lampu jalan mati sudah seminggu", "Sampah menumpuk di pasar",
         "Air PDAM tidak mengalir tiga hari", "Pelayanan KTP di kecamatan lambat sekali",
         "Puskesmas tutup pada jam kerja", "Drainase tersumbat banjir saat hujan", "Pungutan liar di sekolah"]


def decide(svc, cid, **body):
    r = svc.post(f"/v1/complaints/{cid}/decision", body)
    assert r.status_code == 200, r.text
    return r.json()["complaint"]


def answer(svc, cid):
    r = svc.post(f"/v1/complaints/{cid}/response", {"text": "Sudah ditindaklanjuti petugas."})
    assert r.status_code == 201, r.text
    return r.json()["complaint"]


def operator_history(svc) -> list[dict]:
    """Complaints over three months (some at 23:xx and 00:xx local time), worked as an operator would."""
    now = datetime.now(timezone.utc)
    made = []
    for i in range(16):
        local = (now - timedelta(days=75 - 5 * i)).astimezone(WITA)
        at = local.replace(hour=[23, 0, 9, 14][i % 4], minute=30 + i, second=0, microsecond=0)
        made.append(svc.submit(f"{TEXTS[i % len(TEXTS)]} nomor {i}", submitted_at=at.isoformat(),
                               kecamatan="Benteng"))
    units = ["Dinas Kesehatan", "Dinas Perhubungan", "Dinas Sosial", "Dinas Pendidikan dan Kebudayaan"]
    for i, c in enumerate(made):
        c = svc.get(f"/v1/complaints/{c['id']}").json()
        if c["status"] == "pending_review" and i % 5 != 4:
            c = decide(svc, c["id"], action="route", opd=units[i % 4], expected_version=c["version"])
        made[i] = c
    routed = [c for c in made if c["status"] == "routed"]
    for c in routed[:8]:  # answered now: from days to months after submission
        made[made.index(c)] = answer(svc, c["id"])
    forwarded = routed[0]
    c = svc.get(f"/v1/complaints/{forwarded['id']}").json()
    decide(svc, c["id"], action="forward", opd="Dinas Sosial", note="bukan wewenang", expected_version=c["version"])
    waiting = [c for c in made if c["status"] == "pending_review"]
    target = routed[-1]
    if waiting:  # merged, then the target's answer reaches it
        dup = svc.get(f"/v1/complaints/{waiting[0]['id']}").json()
        decide(svc, dup["id"], action="merge", duplicate_of=target["id"], expected_version=dup["version"])
        answer(svc, target["id"])
    if len(waiting) > 1:
        dup = svc.get(f"/v1/complaints/{waiting[1]['id']}").json()
        dup = decide(svc, dup["id"], action="merge", duplicate_of=target["id"], expected_version=dup["version"])
        decide(svc, dup["id"], action="unmerge", expected_version=dup["version"])
    answered = svc.get(f"/v1/complaints/{routed[1]['id']}").json()
    decide(svc, answered["id"], action="reopen", note="warga belum puas", expected_version=answered["version"])
    return made


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


def test_stats_equal_the_full_table_computation_after_an_operators_work(svc):
    operator_history(svc)
    db, tenant = svc.app.state.db, svc.app.state.tenant
    now = datetime.now(timezone.utc)
    midnight = (now - timedelta(days=40)).astimezone(WITA).replace(hour=0, minute=0, second=0, microsecond=0)
    ranges = [(None, None), (midnight, None), (None, midnight), (midnight, midnight + timedelta(days=21)),
              (midnight + timedelta(hours=10, minutes=15), now - timedelta(days=3, hours=5)),  # inside days
              (midnight + timedelta(hours=3), midnight + timedelta(hours=20)),  # inside one day
              (midnight - timedelta(days=30, minutes=45), None)]
    for period in ("day", "week", "month"):
        for lo, hi in ranges:
            assert_same(compute_stats(db, tenant, period, lo, hi), full_scan_stats(db, tenant, period, lo, hi),
                        f"{period} {lo} {hi}")
    everything = compute_stats(db, tenant, "month", None, None)
    assert everything["totals"]["received"] == 16 and everything["totals"]["operator_routed"] >= 5
    assert everything["totals"]["responded"] >= 8 and everything["totals"]["in_review"] >= 1


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
