"""The service at scale: queue, detail, dashboard, ``/v1/stats``, search and start-up with 200,000 stored complaints.

For each database (SQLite file, PostgreSQL schema in the database ``bench_scale``, created if missing): migrate,
bulk-insert N synthetic complaints (demo-tenant texts, two years of submission times, a realistic mix of statuses,
triage results), then build what ``db upgrade`` builds (the statistics tables) and start the app once as the first
start after an upgrade does (complaints of the duplicate window stored before their near-duplicate features were
are analysed once). Then, timed: start-up (model load, duplicate index of the last 60 days from stored features,
warm-up: until ``/readyz`` says ready), the first request after it (an intake), the console queue and the weekly
dashboard while the recurring groups are still being restored in the background (the first seconds after a start),
how long after ready that restore ends, and then, once it has, each page/endpoint ``--repeat`` times. The
baseline, measured in the same run on the same table, is what the service did before (issue 10): read the table
into Python and aggregate there. ``--explain`` prints the query plans of the queue and
detail queries. The load average is printed: wall times on a shared machine say little without it.

    python benchmarks/bench_service_scale.py                     # 200,000 complaints, SQLite and PostgreSQL
    python benchmarks/bench_service_scale.py --rows 50000 --db sqlite --explain
    python benchmarks/bench_service_scale.py --keep /tmp/scale   # seed once; later runs reuse model and tables
    python benchmarks/bench_service_scale.py --keep /tmp/scale --only stats dasbor   # the statistics pages only

``--keep DIR`` keeps the model, the SQLite file and the PostgreSQL schema (named after DIR) after the run, and a
later run with the same DIR and ``--rows`` reuses them instead of seeding again (a run adds one complaint, the
timed intake, outside the seeded ``bench`` channel).

Target (issue 10): queue, detail, dashboard and /v1/stats each <= 300 ms median; start-up <= 10 s.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, func, insert, select, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEMO = REPO / "pipeline" / "tenants" / "selayar"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale"
TARGET_MS = 300.0


def demo_rows() -> list[dict]:
    with open(DEMO / "complaints.csv", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if (r["text"] or "").strip()]


def seed(url: str, n: int) -> None:
    from service.models import Complaint, TriageResult

    rng = random.Random(7)
    base = demo_rows()
    now = datetime.now(timezone.utc)
    statuses = ["done"] * 50 + ["responded"] * 15 + ["routed"] * 15 + ["pending_review"] * 12 + ["merged"] * 4 + [
        "escalated"] * 2 + ["postponed"] * 2
    engine = create_engine(url)
    batch_c, batch_t = [], []
    with engine.begin() as conn:
        for i in range(1, n + 1):
            r = base[i % len(base)]
            body = f"{r['text']} (laporan {i})"
            reported = now - timedelta(days=730 * (1 - i / n), minutes=rng.randint(0, 600))
            status = rng.choice(statuses)
            routed = reported + timedelta(hours=rng.uniform(0.1, 60)) if status not in ("pending_review",
                                                                                       "escalated", "postponed") else None
            answered = routed + timedelta(days=rng.uniform(0.5, 12)) if status in ("done", "responded") else None
            due = reported + timedelta(days=4) if routed is None else (routed + timedelta(days=7) if not answered
                                                                       else None)
            batch_c.append(dict(
                id=i, external_id=f"bench-{i}", channel="bench", text=body, masked_text=body,
                text_hash=hashlib.sha256(body.encode()).hexdigest(), kecamatan=r["kecamatan"] or None,
                kelurahan=r["kelurahan"] or None, address=None, submitted_at=reported,
                received_at=reported + timedelta(minutes=5), status=status,
                review_reasons=["not_auto_routed"] if status in ("pending_review", "escalated") else [],
                suggested_opd=r["opd"], confidence=0.5, auto_routed=False, flagged=False, flag_categories="",
                flag_cleared=False, routed_opd=r["opd"] if routed else None, routed_at=routed,
                routed_by="operator" if routed else None, duplicate_of=None, responded_at=answered, version=2,
                updated_at=now, reported_at=reported, co_opds=[], stage=None if due is None else (
                    "follow_up" if routed else "verification"), due_at=due,
                overdue3_at=None if due is None else due + timedelta(days=8),
                disposed_within=None if routed is None else routed <= reported + timedelta(days=4),
                answered_within=None if answered is None else answered <= routed + timedelta(days=7)))
            batch_t.append(dict(complaint_id=i, model_version="bench", suggested_opd=r["opd"], confidence=0.5,
                                auto_route=False, top_k=[{"opd": r["opd"], "p": 0.5}], explanation="", terms=[],
                                area=None, flags=None, duplicate_candidates=[], created_at=reported))
            if len(batch_c) == 5000 or i == n:
                conn.execute(insert(Complaint.__table__), batch_c)
                conn.execute(insert(TriageResult.__table__), batch_t)
                batch_c, batch_t = [], []
        if url.startswith("postgresql"):
            conn.execute(text("SELECT setval(pg_get_serial_sequence('complaints', 'id'), :n)"), {"n": n})
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    engine.dispose()


def python_aggregate_baseline(url: str) -> float:
    """What /v1/stats did before: every row's times into Python, percentiles with numpy."""
    from service.models import Complaint

    engine = create_engine(url)
    start = time.perf_counter()
    with engine.connect() as conn:
        rows = conn.execute(select(Complaint.received_at, Complaint.suggested_opd, Complaint.routed_opd,
                                   Complaint.routed_at, Complaint.responded_at, Complaint.status)).all()
    per: dict[str, list[float]] = {}
    for r in rows:
        if r.responded_at is not None:
            per.setdefault(r.routed_opd or r.suggested_opd, []).append(1.0)
    for v in per.values():
        np.percentile(v, [50, 90])
    engine.dispose()
    return (time.perf_counter() - start) * 1000


def timed(client, path: str, headers=None, repeat: int = 10) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(path, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return statistics.median(times), float(np.percentile(times, 90))


def start(settings):
    """Start the app as ``serve`` does (lifespan: model, duplicate index, warm-up); seconds until /readyz is 200."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    t0 = time.perf_counter()
    app = create_app(settings)
    client = TestClient(app)
    client.__enter__()
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    return app, client, time.perf_counter() - t0


def prepare(url: str, settings) -> dict:
    """What ``db upgrade`` and the first start after it do once: statistics tables, features of the window."""
    from service.db import Database
    from service.stats_daily import ensure_built
    from service.tenant import Tenant

    db = Database(settings)
    t0 = time.perf_counter()
    ensure_built(db, Tenant.load(settings.served_tenant_dir).time_zone)
    built = time.perf_counter() - t0
    db.dispose()
    _, client, first = start(settings)
    client.__exit__(None, None, None)
    return {"stats tables built (db upgrade, once)": built,
            "first start after upgrade (window's features analysed once)": first}


def seeded(url: str) -> int:
    """How many synthetic complaints an earlier ``--keep`` run left in the database."""
    from service.models import Complaint

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Complaint).where(Complaint.channel == "bench")) or 0
    finally:
        engine.dispose()


def run(url: str, model_dir: Path, n: int, repeat: int, explain: bool, only: list[str] | None = None) -> dict:
    from service.auth import create_key
    from service.migrations import upgrade
    from service.settings import ServiceSettings

    upgrade(url)
    t0 = time.perf_counter()
    have = seeded(url)
    if have == 0:
        seed(url, n)
        out = {"once": {"seeded (bulk insert)": time.perf_counter() - t0}}
    elif have == n:
        out = {"once": {f"seeded: reused {n:,} complaints of an earlier --keep run": 0.0}}
    else:
        raise SystemExit(f"error: the kept database holds {have:,} seeded complaints, not --rows {n:,}: "
                         "delete the --keep directory (and its schema) or pass the same --rows")
    settings = ServiceSettings(database_url=url, model_dir=model_dir, rate_limit_per_second=0, db_pool_size=5)
    out["once"].update(prepare(url, settings))
    starts = []
    for _ in range(2):
        app, client, seconds = start(settings)
        ready_at = time.perf_counter()
        starts.append(seconds)
        if len(starts) < 2:
            client.__exit__(None, None, None)
    out["startup_s"] = statistics.median(starts)
    try:
        with app.state.db.session(write=True) as session, session.begin():
            _, key = create_key(session, "admin", "bench")
        auth = {"Authorization": f"Bearer {key}"}
        t0 = time.perf_counter()
        first = client.post("/v1/complaints", json={"text": "Jalan rusak di depan SD Benteng, mohon diperbaiki."},
                            headers=auth)
        out["first request after ready (intake)"] = ((time.perf_counter() - t0) * 1000, None)
        assert first.status_code == 201, first.text
        page = client.get("/masuk")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        assert client.post("/masuk", data={"kunci": key, "csrf": token}, follow_redirects=False).status_code == 303
        # the first seconds after ready: the recurring groups of the 180-day window are restored in the background
        # (service.recurring); two pages timed while that runs, every page below once it is done
        from service.recurring import wait_restored

        if not only:
            out["queue (console /antrian), while the start-up restore runs"] = timed(client, "/antrian", repeat=5)
            out["dashboard week, while the start-up restore runs"] = timed(client, "/dasbor?periode=week", repeat=5)
        assert wait_restored(app.state.db, 600), "the recurring restore did not finish in 10 minutes"
        out["once"]["recurring restore done, after ready (requests meanwhile)"] = time.perf_counter() - ready_at
        rng = random.Random(3)
        ids = [rng.randint(1, n) for _ in range(repeat)]

        def detail(prefix: str, headers=None) -> tuple[float, float]:
            times = [timed(client, f"{prefix}/{i}", headers, 1)[0] for i in ids]
            return statistics.median(times), float(np.percentile(times, 90))

        pages = {
            "queue (console /antrian)": lambda: timed(client, "/antrian", repeat=repeat),
            "queue (/v1/review)": lambda: timed(client, "/v1/review", auth, repeat),
            "detail (console)": lambda: detail("/pengaduan"),
            "detail (/v1/complaints/{id})": lambda: detail("/v1/complaints", auth),
            "dashboard (console /dasbor?periode=month)": lambda: timed(client, "/dasbor?periode=month", repeat=repeat),
            "dashboard (console /dasbor?periode=week)": lambda: timed(client, "/dasbor?periode=week", repeat=repeat),
            "/v1/stats?period=month": lambda: timed(client, "/v1/stats?period=month", auth, repeat),
            "/v1/stats?period=week": lambda: timed(client, "/v1/stats?period=week", auth, repeat),
            "search /v1/complaints?q=jalan": lambda: timed(client, "/v1/complaints?q=jalan", auth, repeat),
            "overdue queue /v1/complaints?deadline=overdue": lambda: timed(
                client, "/v1/complaints?deadline=overdue", auth, repeat),
        }
        for label, measure in pages.items():
            if not only or any(word in label for word in only):
                out[label] = measure()
        if explain:
            print_plans(app.state.db, ids[0])
    finally:
        client.__exit__(None, None, None)
    if not only:
        out["baseline: stats in Python (before)"] = (python_aggregate_baseline(url), None)
    return out


def print_plans(db, cid: int) -> None:
    """The query plans of the queue page, its counts, the detail page's queue position and the claim-oldest link."""
    from service.console import queue_index
    from service.models import Complaint

    with db.session() as session:
        c = session.get(Complaint, cid)
        when = c.received_at
    statements = queue_index.statements(None, None, cid, when, "bench")
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    with db.engine.connect() as conn:
        for label, stmt in statements.items():
            sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = [" ".join(str(x) for x in r) for r in conn.exec_driver_sql(prefix + sql)]
            print(f"-- {label}:\n   " + "\n   ".join(plan))


def report(name: str, res: dict) -> None:
    print(f"\n== {name} ==   (load average {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    for label, seconds in res.pop("once").items():
        print(f"{label:60s} {seconds:7.1f} s")
    print(f"{'start-up until /readyz ready (median of 2)':60s} {res.pop('startup_s'):7.2f} s  (target <= 10 s)")
    base = res.get("baseline: stats in Python (before)", (None,))[0]
    for label, (med, p90) in res.items():
        extra = "" if p90 is None else f"  p90 {p90:7.1f} ms  {'OK ' if med <= TARGET_MS else 'MISS'} (<= 300 ms)"
        print(f"{label:60s} median {med:7.1f} ms{extra}")
    if base is not None:
        print(f"(baseline: whole table read into Python, {base:.0f} ms)")


def ensure_database(pg_url: str) -> None:
    """Create the benchmark's own database (``bench_scale``) on the server if it is missing."""
    name = pg_url.rsplit("/", 1)[1].split("?")[0]
    admin = create_engine(pg_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", "--n", dest="rows", type=int, default=200_000)
    ap.add_argument("--db", choices=("sqlite", "postgres", "postgresql", "both"), default="both")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--pg-url", default=PG_DEFAULT)
    ap.add_argument("--explain", action="store_true", help="print the queue and detail query plans")
    ap.add_argument("--only", nargs="+", metavar="WORD",
                    help="time only the pages whose label holds one of these words (e.g. --only stats dasbor)")
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="keep model, SQLite file and PostgreSQL schema; reuse them when DIR holds them")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each database's figures as soon as they are measured
    from pipeline.columns import InputColumns
    from pipeline.routing.training import train_router

    if args.keep:
        tmp = args.keep.resolve()
        tmp.mkdir(parents=True, exist_ok=True)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="lapor-scale-"))
    model_dir = tmp / "model"
    if not (model_dir / "manifest.json").exists():
        train_router(DEMO / "complaints.csv", model_dir, InputColumns(label="opd"), gazetteer=DEMO / "areas.csv",
                     units=DEMO / "units.csv", tenant="selayar")
    if args.db in ("sqlite", "both"):
        report(f"SQLite, {args.rows:,} complaints",
               run(f"sqlite:///{tmp / 'scale.db'}", model_dir, args.rows, args.repeat, args.explain, args.only))
    if args.db in ("postgres", "postgresql", "both"):
        ensure_database(args.pg_url)
        schema = (f"lt_scale_keep_{hashlib.sha256(str(tmp).encode()).hexdigest()[:8]}" if args.keep
                  else f"lt_scale_{uuid.uuid4().hex[:8]}")
        admin = create_engine(args.pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        try:
            url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
            report(f"PostgreSQL, {args.rows:,} complaints",
                   run(url, model_dir, args.rows, args.repeat, args.explain, args.only))
        finally:
            if not args.keep:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            else:
                print(f"(kept: {tmp}, PostgreSQL schema {schema})")
            admin.dispose()
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
