"""Durability on SQLite and PostgreSQL: restarts, crashes between request and commit; CLI commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fixtures.service_app import Service, create_keys, start_service, wipe

REPO = Path(__file__).resolve().parents[2]
ROAD = "Jalan rusak parah di desa Onto, lubang besar membahayakan pengendara."


def count(url: str, sql: str, **params) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text(sql), params).scalar_one()
    engine.dispose()
    return n


def test_persists_across_app_restart(database_url, demo_model):
    wipe(database_url)
    app, client = start_service(database_url, demo_model)
    with client:
        keys = create_keys(app.state.db)
        h = {"Authorization": f"Bearer {keys['operator']}"}
        created = client.post("/v1/complaints", json={"text": ROAD, "external_id": "restart-1"}, headers=h).json()
        client.post(f"/v1/complaints/{created['id']}/decision", headers=h,
                    json={"action": "escalate", "note": "cek ulang", "expected_version": 1})
    app2, client2 = start_service(database_url, demo_model)
    with client2:
        got = client2.get(f"/v1/complaints/{created['id']}", headers=h)
        assert got.status_code == 200
        body = got.json()
        assert body["masked_text"] == created["masked_text"] and body["status"] == "escalated"
        assert body["triage"]["top_k"] == created["triage"]["top_k"] and len(body["decisions"]) == 1
        again = client2.post("/v1/complaints", json={"text": ROAD, "external_id": "restart-1"}, headers=h)
        assert again.status_code == 200 and again.json()["id"] == created["id"]


CRASH_SCRIPT = textwrap.dedent("""
    import os, sys
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from service.app import load_model
    from service.db import Database
    from service.complaint_schemas import ComplaintIn
    from service.settings import ServiceSettings
    from service.intake import ingest
    from service.tenant import Tenant
    from service.triage import Triage

    url, model_dir, mode = sys.argv[1:4]
    db = Database(ServiceSettings(database_url=url, model_dir=model_dir))
    triage = Triage.from_model(load_model(model_dir))

    def crash_before_commit(session):
        session.flush()        # complaint AND triage result written inside the transaction...
        os._exit(17)           # ...and the process dies before COMMIT

    def crash_after_commit(session):
        os._exit(17)           # committed, but the HTTP answer is never sent

    hook = {"before": crash_before_commit, "after": crash_after_commit}[mode]
    event.listen(Session, "before_commit" if mode == "before" else "after_commit", hook)
    ingest(db, triage, [ComplaintIn(text="Lampu jalan mati di Benteng", external_id=f"crash-{mode}")],
           Tenant.load(db.settings.served_tenant_dir))
    sys.exit(0)
""")


@pytest.mark.parametrize("mode, expected", [("before", 0), ("after", 1)])
def test_crash_between_request_and_commit(database_url, demo_model, tmp_path, mode, expected):
    """The complaint is fully stored (complaint + triage result) or absent — never half."""
    wipe(database_url)
    script = tmp_path / "crash.py"
    script.write_text(CRASH_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), database_url, str(demo_model), mode],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 17, proc.stderr[-2000:]
    ext = f"crash-{mode}"
    assert count(database_url, "SELECT count(*) FROM complaints WHERE external_id = :e", e=ext) == expected
    assert count(database_url, "SELECT count(*) FROM triage_results t JOIN complaints c ON c.id = t.complaint_id "
                               "WHERE c.external_id = :e", e=ext) == expected
    assert count(database_url, "SELECT count(*) FROM triage_results") == expected


def test_readyz_reports_unmigrated_database(tmp_path, demo_model):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    app, client = start_service(url, demo_model)
    with client:
        r = client.get("/readyz")
        assert r.status_code == 503 and "db upgrade" in r.json()["checks"]["database"]
        assert client.get("/healthz").status_code == 200


def test_intake_failure_is_not_a_hang(svc, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("service.ingest.ingest", broken)
    client = svc.client.__class__(svc.app, raise_server_exceptions=False)
    r = client.post("/v1/complaints", json={"text": ROAD}, headers=svc.auth())
    assert r.status_code == 500
    monkeypatch.undo()
    assert svc.post("/v1/complaints", {"text": ROAD}).status_code == 201


# -- CLI (SQLite; the commands only use LAPOR_DATABASE_URL, the same setting as the server) -----------------
def run_cli(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd,
                          env=full_env, timeout=120)


def test_cli_db_upgrade_keys_and_export(tmp_path, demo_model):
    from service.auth import hash_key
    from service.db import Database
    from service.settings import ServiceSettings

    work = tmp_path / "elsewhere"
    work.mkdir()
    plain = {k: v for k, v in os.environ.items() if k != "LAPOR_DATABASE_URL"}
    r = subprocess.run([sys.executable, "-m", "pipeline", "db", "upgrade"], cwd=work, env=plain,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (work / "lapor.db").is_file()  # the default: sqlite file lapor.db in the current directory
    url = f"sqlite:///{work / 'lapor.db'}"
    assert count(url, "SELECT count(*) FROM alembic_version") == 1

    r = run_cli(["keys", "create", "--role", "operator", "--name", "kanal sms"], work)
    assert r.returncode == 0, r.stderr
    key = r.stdout.strip().splitlines()[-1]
    assert key.startswith("lt_") and " " not in key
    assert count(url, "SELECT count(*) FROM api_keys WHERE key_hash = :h AND role = 'operator'", h=hash_key(key)) == 1
    assert count(url, "SELECT count(*) FROM api_keys WHERE key_hash = :k", k=key) == 0  # never stored in clear
    assert run_cli(["keys", "create", "--role", "king", "--name", "x"], work).returncode != 0
    listed = json.loads(run_cli(["keys", "list"], work).stdout)
    assert listed[0]["name"] == "kanal sms" and "key_hash" not in listed[0]

    # decided complaints → training file
    app, client = start_service(url, demo_model)
    with client:
        h = {"Authorization": f"Bearer {key}"}
        c = client.post("/v1/complaints", json={"text": "pak tolong itu yang kemarin belum juga", "kecamatan": "Benteng"},
                        headers=h).json()
        client.post(f"/v1/complaints/{c['id']}/decision", headers=h,
                    json={"action": "route", "opd": "Dinas Sosial", "expected_version": c["version"]})
    out = work / "feedback.csv"
    r = run_cli(["export-feedback", "--out", str(out)], work)
    assert r.returncode == 0, r.stderr
    import pandas as pd

    df = pd.read_csv(out)
    assert list(df["opd"]) == ["Dinas Sosial"] and df.loc[0, "source"] == "operator"
    assert {"text", "kecamatan", "kelurahan", "created_at", "opd"} <= set(df.columns)

    r = run_cli(["keys", "revoke", str(listed[0]["id"])], work)
    assert r.returncode == 0, r.stderr
    assert json.loads(run_cli(["keys", "list"], work).stdout)[0]["revoked_at"]

    from service.cli import ensure_admin_key

    db = Database(ServiceSettings(database_url=url))
    assert ensure_admin_key(db) is None  # keys exist: no new admin key
    db.dispose()


def test_first_start_creates_one_admin_key(tmp_path):
    from service.cli import ensure_admin_key
    from service.db import Database
    from service.migrations import upgrade
    from service.settings import ServiceSettings

    url = f"sqlite:///{tmp_path / 'first.db'}"
    upgrade(url)
    db = Database(ServiceSettings(database_url=url))
    key = ensure_admin_key(db)
    assert key and key.startswith("lt_")
    assert ensure_admin_key(db) is None
    assert count(url, "SELECT count(*) FROM api_keys WHERE role = 'admin'") == 1
    db.dispose()
