"""The service as several processes: two real ``lapor-triage serve`` processes on one PostgreSQL database.

A near-duplicate posted to one process finds the complaint the other process accepted (its in-memory
index catches up from the database before it answers), the rate limit is one bucket in Redis, and a console
login on one process is a login on the other until it is logged out on either.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from fixtures.service_app import fresh_pg_schema

REDIS_URL = os.environ.get("LAPOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

FIRST = ("Lampu jalan di depan SDN 3 Benteng mati sudah dua minggu, malam hari sangat gelap dan rawan "
         "kecelakaan. Mohon segera diperbaiki.")
NEAR = ("Lampu jalan depan SDN 3 Benteng mati sdh 2 minggu, kalau malam gelap sekali dan rawan kecelakaan, "
        "mohon diperbaiki segera")


@pytest.fixture(scope="module")
def pg_schema():
    with fresh_pg_schema("lt_proc_") as url:
        yield url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server at {base} exited with {proc.returncode}: {proc.stderr.read()[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server at {base} not ready after {timeout}s")


@pytest.fixture(scope="module")
def two_servers(pg_schema, demo_model):
    """Two server processes sharing a database and a Redis prefix; one API key per test (limits are per key)."""
    env = {**os.environ, "LAPOR_DATABASE_URL": pg_schema, "LAPOR_MODEL_DIR": str(demo_model),
           "LAPOR_REDIS_URL": REDIS_URL, "LAPOR_REDIS_PREFIX": f"lt-test-{uuid.uuid4().hex[:10]}:",
           "LAPOR_RATE_LIMIT_PER_SECOND": "0.001", "LAPOR_RATE_LIMIT_BURST": "6", "LAPOR_KEY_CACHE_SECONDS": "0"}
    keys = {}
    for name in ("duplicates", "limits", "console"):
        made = subprocess.run([sys.executable, "-m", "pipeline", "keys", "create", "--role", "operator", "--name",
                               name], env=env, capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        keys[name] = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
    procs, bases = [], []
    try:
        for _ in range(2):
            port = _free_port()
            procs.append(subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", str(port)], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs):
            _wait_ready(base, proc)
        yield bases, keys
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        _forget_redis(env["LAPOR_REDIS_PREFIX"])


def _forget_redis(prefix: str) -> None:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        for k in client.scan_iter(f"{prefix}*"):
            client.delete(k)
    except Exception:  # noqa: BLE001 - cleanup of a test's own keys only
        pass


def _post(base: str, auth: dict, text_: str) -> httpx.Response:
    return httpx.post(f"{base}/v1/complaints", headers=auth, timeout=60,
                      json={"text": text_, "kelurahan": "Benteng", "kecamatan": "Benteng"})


def test_a_near_duplicate_posted_to_one_process_finds_the_complaint_the_other_accepted(two_servers):
    (a, b), keys = two_servers
    auth = keys["duplicates"]
    first = _post(a, auth, FIRST)
    assert first.status_code == 201, first.text
    second = _post(b, auth, NEAR)
    assert second.status_code == 201, second.text
    candidates = second.json()["triage"]["duplicate_candidates"]
    assert first.json()["id"] in [c["complaint_id"] for c in candidates], candidates
    # and back: the first process's index also caught up with the second complaint
    third = _post(a, auth, NEAR + " Terima kasih.")
    ids = [c["complaint_id"] for c in third.json()["triage"]["duplicate_candidates"]]
    assert {first.json()["id"], second.json()["id"]} <= set(ids)


def test_the_rate_limit_is_one_bucket_across_processes(two_servers):
    (a, b), keys = two_servers
    auth = keys["limits"]
    codes = [httpx.get(f"{base}/v1/complaints", headers=auth, timeout=30).status_code for base in (a, b) * 4]
    assert codes[:6] == [200] * 6 and codes[6:] == [429, 429]  # burst 6 shared, not 6 per process


def test_a_console_logout_on_one_process_ends_the_session_on_the_other(two_servers):
    import re

    (a, b), keys = two_servers
    key = keys["console"]["Authorization"].split(" ", 1)[1]
    with httpx.Client(base_url=a, timeout=30) as browser:
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/masuk").text).group(1)
        assert browser.post("/masuk", data={"kunci": key, "csrf": csrf}).status_code == 303
        cookie = browser.cookies.get("lapor_sesi")
    jar = {"lapor_sesi": cookie}
    page = httpx.get(f"{b}/antrian", cookies=jar, timeout=30)
    assert page.status_code == 200 and "Antrian" in page.text  # the session a made is known to b
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert httpx.post(f"{b}/keluar", data={"csrf": csrf}, cookies=jar, timeout=30).status_code == 303
    for base in (a, b):
        assert httpx.get(f"{base}/antrian", cookies=jar, timeout=30).status_code == 303  # back to /masuk
