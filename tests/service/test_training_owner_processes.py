"""Two real ``lapor-triage serve`` processes on one PostgreSQL database: a retrain running in one is left alone by
the other; once its server is killed (``kill -9``, no shutdown code runs) the other marks it failed within
seconds, naming the process — and a new retrain can start — and the killed server's training process ends too.
A server asked to stop during a retrain stops at once, and the retrain is failed with why."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fixtures.service_app import fresh_pg_schema
from test_processes import _free_port, _wait_ready
from test_training_process import stat_fields, wait_until_gone


def serve(env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture
def two_servers(demo_model, tmp_path):
    with fresh_pg_schema("lt_owner_") as url:
        env = {**os.environ, "LAPOR_DATABASE_URL": url, "LAPOR_MODEL_DIR": str(demo_model),
               "LAPOR_MODEL_STORE_DIR": str(tmp_path / "versions"), "LAPOR_RATE_LIMIT_PER_SECOND": "0",
               "LAPOR_MODEL_POLL_SECONDS": "0.2", "LAPOR_RETRAIN_HEARTBEAT_SECONDS": "0.2"}
        made = subprocess.run([sys.executable, "-m", "pipeline", "keys", "create", "--role", "admin", "--name", "t"],
                              env=env, capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        auth = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
        procs = []
        try:
            for _ in range(2):
                procs.append(serve(env))
            for proc, base in procs:
                _wait_ready(base, proc)
            yield procs, auth
        finally:
            for proc, _ in procs:
                if proc.poll() is None:
                    proc.terminate()
            for proc, _ in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if int(stat_fields(proc.name)[1]) == pid:
                found.append(int(proc.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def retrain_running(base: str, other: str, auth: dict) -> str:
    """Start a retrain through ``base``; return its version once ``other`` has seen it still training."""
    started = httpx.post(f"{base}/v1/models/retrain", headers=auth, timeout=60)
    assert started.status_code == 202, started.text
    version = started.json()["version"]
    time.sleep(1)  # the other's watcher looks every 0.2 s (stale after 5.6 s): a live job is left alone
    row = httpx.get(f"{other}/v1/models/{version}", headers=auth, timeout=30).json()
    assert row["status"] != "failed", row["error"]
    if row["status"] != "training":
        pytest.fail(f"the demo retrain finished within 1 s ({row['status']}): nothing left to stop")
    return version


def test_a_killed_servers_retrain_is_failed_by_its_sibling(two_servers):
    ((a, base_a), (b, base_b)), auth = two_servers
    version = retrain_running(base_a, base_b, auth)
    training = children(a.pid)
    assert training or not Path("/proc").is_dir(), "no training process under the server"
    os.kill(a.pid, signal.SIGKILL)
    a.wait(timeout=20)
    deadline = time.monotonic() + 15
    while (row := httpx.get(f"{base_b}/v1/models/{version}", headers=auth, timeout=30).json())["status"] == "training":
        assert time.monotonic() < deadline, "the killed server's retrain is still 'training' after 15 s"
        time.sleep(0.5)
    assert row["status"] == "failed" and f"pid {a.pid}" in row["error"] and "is gone" in row["error"], row
    again = httpx.post(f"{base_b}/v1/models/retrain", headers=auth, timeout=60)
    assert again.status_code == 202, again.text
    for pid in training:
        assert wait_until_gone(pid, 10), f"the killed server's process {pid} still runs"


def test_a_server_stopped_during_a_retrain_stops_at_once_and_fails_it(two_servers):
    ((a, base_a), (b, base_b)), auth = two_servers
    version = retrain_running(base_a, base_b, auth)
    training = children(a.pid)
    asked = time.monotonic()
    a.terminate()
    a.wait(timeout=60)
    assert time.monotonic() - asked < 10, "the server waited for its retrain before stopping"
    row = httpx.get(f"{base_b}/v1/models/{version}", headers=auth, timeout=30).json()
    assert row["status"] == "failed" and "server shut down" in row["error"], row
    for pid in training:
        assert wait_until_gone(pid, 10), f"the stopped server's process {pid} still runs"
