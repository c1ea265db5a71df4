"""Who trains a model version, and telling a live retrain from one whose server process is gone.

A retrain runs beside the server process that started it; that process records the result. If it stops (a
deploy, a crash, ``kill -9``) the version would stay ``training`` and block every later retrain. So each
``training`` row names its owner — ``host/pid/token``, where host includes the PID namespace (two containers
with one hostname are two hosts) and the token is drawn once per process (a restarted server that got the same
PID is not its predecessor) — and the owner writes ``heartbeat_at`` every ``LAPOR_RETRAIN_HEARTBEAT_SECONDS``.

A training row is abandoned (:func:`abandoned`) when its owner is this host's PID of a process that is gone (or
is this very process under a new token), or when its heartbeat is older than ``stale`` seconds (the owner is on
another host, or hangs), or — rows from before owners were recorded — after ``LAPOR_RETRAIN_TIMEOUT_SECONDS``.
:func:`reap` marks such rows failed with that reason, under a row lock so several server processes on
PostgreSQL agree; it runs at start-up, before a retrain starts and in every process's model watcher.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime

from sqlalchemy import select, update

from service.db import Database
from service.models import ModelVersion, utcnow

log = logging.getLogger(__name__)

TRAINING, FAILED = "training", "failed"  # as service.registry (which imports this module)
_tokens: dict[int, str] = {}


def host() -> str:
    """This host as owners name it: hostname and PID namespace."""
    try:
        ns = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        ns = 0
    return f"{socket.gethostname()}:{ns}"


def me() -> str:
    """This process's owner name (a forked worker gets its own token)."""
    pid = os.getpid()
    token = _tokens.setdefault(pid, uuid.uuid4().hex[:12])
    return f"{host()}/{pid}/{token}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def abandoned(row: ModelVersion, now: datetime, *, stale: float, timeout: float, mine: str | None = None) -> str | None:
    """Why the ``training`` row's job can no longer finish, or None while it may."""
    mine = mine or me()
    age = (now - row.created_at).total_seconds()
    if not row.owner:
        return (f"abandoned: no result after {timeout:.0f} s (the training server stopped?)"
                if age >= timeout else None)
    if row.owner == mine:
        return None
    parts = row.owner.rsplit("/", 2)
    owner_host = parts[0] if len(parts) == 3 else ""
    pid = int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else -1
    if owner_host == host():
        if pid == os.getpid():
            return f"abandoned: the server process that trained it (pid {pid}) was restarted"
        if not pid_alive(pid):
            return f"abandoned: the server process that trained it (pid {pid} on {owner_host}) is gone"
    beat = row.heartbeat_at or row.created_at
    silent = (now - beat).total_seconds()
    if silent >= stale:
        return f"abandoned: no heartbeat from its server process {row.owner} for {silent:.0f} s"
    if age >= timeout:
        return f"abandoned: no result after {timeout:.0f} s"
    return None


def reap(db: Database, *, stale: float, timeout: float) -> list[str]:
    """Mark every abandoned ``training`` version failed (with why); return their versions."""
    now, done = utcnow(), []
    with db.session(write=True) as session, session.begin():
        rows = session.scalars(select(ModelVersion).where(ModelVersion.status == TRAINING)
                               .with_for_update()).all()
        for row in rows:
            reason = abandoned(row, now, stale=stale, timeout=timeout)
            if reason:
                row.status, row.finished_at, row.error = FAILED, now, reason
                done.append(row.version)
    for version in done:
        log.warning("retrain %s marked failed: its job can no longer finish", version)
    return done


def beat(db: Database, owner: str | None = None) -> int:
    """Write this process's heartbeat on the versions it trains; return how many."""
    with db.session(write=True) as session, session.begin():
        return session.execute(update(ModelVersion).where(ModelVersion.owner == (owner or me()),
                                                          ModelVersion.status == TRAINING)
                               .values(heartbeat_at=utcnow())).rowcount


class Heartbeat:
    """A daemon thread that beats every ``interval`` seconds while ``busy()`` is true."""

    def __init__(self, db: Database, interval: float, busy):
        self.db, self.interval, self.busy = db, interval, busy
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def ensure(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="lapor-retrain-heartbeat", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while self.busy() and not self._stop.wait(self.interval):
            try:
                beat(self.db)
            except Exception as exc:  # noqa: BLE001 - the database away: beat again next time
                log.warning("retrain heartbeat failed (%s)", str(exc).splitlines()[0])
