"""A retrain whose server process is gone is failed with why — not left 'training' for an hour — while a live
one (another process, another host with a fresh heartbeat) is left alone; on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from service import registry, training_owner
from service.db import Database
from service.errors import Conflict
from service.models import ModelVersion, utcnow
from service.settings import Settings

STALE, TIMEOUT = 35.0, 3600.0


@pytest.fixture
def db(database_url):
    from fixtures.service_app import wipe

    wipe(database_url)
    d = Database(Settings(database_url=database_url))
    yield d
    d.dispose()


def add(db, version: str, owner: str | None, beat_age: float = 0.0, age: float = 0.0) -> None:
    now = utcnow()
    with db.session(write=True) as s, s.begin():
        s.add(ModelVersion(version=version, status="training", path="/nowhere", created_by="t", override=False,
                           created_at=now - timedelta(seconds=age), owner=owner,
                           heartbeat_at=now - timedelta(seconds=beat_age) if owner else None))


def state(db, version: str) -> tuple[str, str | None]:
    with db.session() as s:
        row = s.scalar(select(ModelVersion).where(ModelVersion.version == version))
        return row.status, row.error


def reap(db) -> list[str]:
    return training_owner.reap(db, stale=STALE, timeout=TIMEOUT)


def test_a_dead_process_on_this_host_fails_its_retrain_at_once(db):
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    add(db, "v-dead", f"{training_owner.host()}/{done.pid}/abc", beat_age=1)
    assert reap(db) == ["v-dead"]
    status, error = state(db, "v-dead")
    assert status == "failed" and f"pid {done.pid}" in error and "is gone" in error


def test_a_live_process_keeps_its_retrain_until_it_dies(db):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        add(db, "v-live", f"{training_owner.host()}/{proc.pid}/abc", beat_age=1)
        assert reap(db) == [] and state(db, "v-live") == ("training", None)
        with pytest.raises(Conflict):  # and still blocks a second retrain
            registry.start_training(db, "v-next", "/nowhere", None, "t", TIMEOUT, STALE)
    finally:
        proc.kill()
        proc.wait()
    assert reap(db) == ["v-live"]


def test_another_host_is_judged_by_its_heartbeat(db):
    add(db, "v-fresh", "other-host:1/4242/abc", beat_age=5)
    add(db, "v-silent", "other-host:1/4243/abc", beat_age=STALE + 5)
    assert reap(db) == ["v-silent"]
    assert state(db, "v-fresh") == ("training", None)
    assert "no heartbeat" in state(db, "v-silent")[1] and "other-host:1/4243/abc" in state(db, "v-silent")[1]


def test_this_pid_under_another_token_is_a_restarted_server(db):
    add(db, "v-old", f"{training_owner.host()}/{os.getpid()}/not-my-token", beat_age=1)
    add(db, "v-mine", training_owner.me(), beat_age=STALE * 10)  # this process: alive whatever its heartbeat
    assert reap(db) == ["v-old"] and "restarted" in state(db, "v-old")[1]
    assert state(db, "v-mine") == ("training", None)


def test_rows_from_before_owners_wait_for_the_timeout(db):
    add(db, "v-legacy", None, age=60)
    add(db, "v-legacy-old", None, age=TIMEOUT + 1)
    assert reap(db) == ["v-legacy-old"] and state(db, "v-legacy")[0] == "training"


def test_start_training_fails_an_abandoned_job_and_records_its_owner(db):
    add(db, "v-gone", "other-host:1/4244/abc", beat_age=STALE + 1)
    registry.start_training(db, "v-new", "/nowhere", None, "t", TIMEOUT, STALE)
    assert state(db, "v-gone")[0] == "failed"
    with db.session() as s:
        row = s.scalar(select(ModelVersion).where(ModelVersion.version == "v-new"))
        assert row.status == "training" and row.owner == training_owner.me() and row.heartbeat_at is not None
    assert training_owner.beat(db) == 1
