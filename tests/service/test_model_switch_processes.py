"""Promote without a restart, across processes: two real ``lapor-triage serve`` processes on one PostgreSQL
database; a model promoted through one is served by the other within seconds, and a rollback through the other
reaches the first."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from fixtures.screening_data import screened_copy
from fixtures.service_app import fresh_pg_schema
from test_processes import _free_port, _wait_ready


@pytest.fixture(scope="module")
def servers(demo_model, tmp_path_factory):
    with fresh_pg_schema("lt_switch_") as url:
        env = {**os.environ, "LAPOR_DATABASE_URL": url, "LAPOR_MODEL_DIR": str(demo_model),
               "LAPOR_MODEL_STORE_DIR": str(tmp_path_factory.mktemp("versions")), "LAPOR_RATE_LIMIT_PER_SECOND": "0",
               "LAPOR_MODEL_POLL_SECONDS": "1"}
        made = subprocess.run([sys.executable, "-m", "pipeline", "keys", "create", "--role", "admin", "--name", "t"],
                              env=env, capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        auth = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
        procs, bases = [], []
        try:
            for _ in range(2):
                port = _free_port()
                procs.append(subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", str(port)],
                                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
                bases.append(f"http://127.0.0.1:{port}")
            for base, proc in zip(bases, procs):
                _wait_ready(base, proc)
            yield bases, auth, env
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _served(base: str, auth: dict) -> str:
    return httpx.get(f"{base}/v1/model", headers=auth, timeout=30).json()["model_version"]


def _wait_serving(base: str, auth: dict, version: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while _served(base, auth) != version:
        assert time.monotonic() < deadline, f"{base} did not switch to {version} within {seconds} s"
        time.sleep(0.25)


def test_a_model_promoted_through_one_process_is_served_by_the_other_within_seconds(servers, tmp_path):
    from service import registry
    from service.db import Database
    from service.settings import Settings

    (a, b), auth, env = servers
    old = _served(a, auth)
    assert _served(b, auth) == old
    other = screened_copy(env["LAPOR_MODEL_DIR"], tmp_path / "other")  # another version: router plus a screener
    settings = Settings(database_url=env["LAPOR_DATABASE_URL"], model_dir=env["LAPOR_MODEL_DIR"],
                        model_store_dir=env["LAPOR_MODEL_STORE_DIR"])
    db = Database(settings)
    try:
        new = registry.register_dir(db, settings, other, registry.CANDIDATE, "test")
    finally:
        db.dispose()
    assert new != old
    promoted = httpx.post(f"{a}/v1/models/{new}/promote", headers=auth, timeout=60)
    assert promoted.status_code == 200, promoted.text
    assert _served(a, auth) == new  # the process that promoted: at once
    _wait_serving(b, auth, new)
    served = httpx.post(f"{b}/v1/complaints", headers=auth, timeout=60,
                        json={"text": "Jalan poros desa rusak parah, mohon segera diaspal"}).json()
    assert served["triage"]["model_version"] == new and served["triage"]["flags"] is not None
    back = httpx.post(f"{b}/v1/models/{old}/promote", headers=auth, timeout=60)  # rollback through the other
    assert back.status_code == 200, back.text
    _wait_serving(a, auth, old)
