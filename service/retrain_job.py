"""Retraining from the service: decided complaints from the database + the base data → a candidate version.

``POST /v1/models/retrain`` (and ``lapor-triage models retrain``) registers a ``training`` version and trains it
in a separate process (:func:`pipeline.lifecycle.retrain.retrain`), so neither the event loop nor the intake
threads wait for it; when it ends the version becomes a ``candidate`` with its comparison, or ``failed`` with
the error. Training data: the file the active model was trained on (its manifest records path and sha256) or
``LAPOR_RETRAIN_BASE_DATA``, plus every complaint an operator routed (merged ones with their target's unit).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from pipeline.artifacts import sha256_file
from pipeline.errors import DataError
from pipeline.io import read_table
from pipeline.lifecycle.store import new_version
from service import registry, training_owner, units
from service.db import Database
from service.errors import Conflict
from service.models import MERGED, Complaint
from service.settings import Settings
from service.training_process import ChildProcessExecutor, TrainingStopped
from service.workflow import MODEL_ROUTER

log = logging.getLogger(__name__)


def decided_frame(db: Database, latest: int | None = None) -> pd.DataFrame:
    """Complaints an operator routed (masked text, their unit, their time); a merged complaint takes the unit its
    target was routed to by an operator. ``latest``: at least the ``latest`` most recent of them (by submission
    time) instead of all — what the decision memory keeps, read at start-up without reading the whole table."""
    cols = (Complaint.id, Complaint.masked_text, Complaint.kelurahan, Complaint.kecamatan, Complaint.reported_at,
            Complaint.received_at, Complaint.routed_opd, Complaint.routed_by, Complaint.status,
            Complaint.duplicate_of)
    decided = (Complaint.routed_opd.is_not(None)) | (Complaint.status == MERGED)
    by_id: dict = {}

    def label(r, hops: int = 0):
        if r.status == MERGED:
            target = by_id.get(r.duplicate_of)
            return label(target, hops + 1) if target is not None and hops < 5 else None
        return r.routed_opd if r.routed_opd and r.routed_by != MODEL_ROUTER else None

    with db.session() as session:
        if latest is None:
            rows = session.execute(select(*cols).where(decided)).all()
            by_id.update((r.id, r) for r in rows)
        else:
            rows = []
            newest = select(*cols).where(decided).order_by(
                func.coalesce(Complaint.reported_at, Complaint.received_at).desc(), Complaint.id.desc())
            while True:
                page = session.execute(newest.offset(len(rows)).limit(2 * latest)).all()
                rows += page
                by_id.update((r.id, r) for r in page)
                for _ in range(5):  # the targets of merged complaints, which may be older
                    wanted = {r.duplicate_of for r in by_id.values() if r.status == MERGED} - set(by_id) - {None}
                    if not wanted:
                        break
                    by_id.update((r.id, r) for r in session.execute(
                        select(*cols).where(decided, Complaint.id.in_(sorted(wanted)[:10000]))).all())
                if len(page) < 2 * latest or sum(1 for r in rows if label(r)) >= latest:
                    break
            rows.reverse()

    out = [{"text": r.masked_text, "opd": unit, "kelurahan": r.kelurahan or "", "kecamatan": r.kecamatan or "",
            "created_at": (r.reported_at or r.received_at).isoformat(), "id": r.id}
           for r in rows if (unit := label(r))]
    return pd.DataFrame(out, columns=["text", "opd", "kelurahan", "kecamatan", "created_at", "id"])


def base_data(settings: Settings, manifest: dict) -> tuple[Path, dict]:
    """The base training file and its column names: configured, else the active model's own (checked by sha256)."""
    info = manifest.get("training_data") or {}
    recorded = info.get("base") or info  # a retrained model records its base; a trained one its own file
    columns = dict(recorded.get("columns") or {})
    if settings.retrain_base_data is not None:
        path = Path(settings.retrain_base_data)
        if not path.is_file():
            raise DataError(f"LAPOR_RETRAIN_BASE_DATA: {path} does not exist")
        return path, columns
    candidates = [Path(p) for p in (recorded.get("path"),) if p]
    if recorded.get("file"):
        candidates.append(Path(settings.served_tenant_dir) / recorded["file"])
    for path in candidates:
        if path.is_file() and (not recorded.get("sha256") or sha256_file(path) == recorded["sha256"]):
            return path, columns
    shown = ", ".join(str(p) for p in candidates) or "(none recorded)"
    raise DataError(f"the active model's training data is not found unchanged at {shown}; set "
                    "LAPOR_RETRAIN_BASE_DATA to the file to retrain on")


def unit_table(db: Database, settings: Settings) -> pd.DataFrame | None:
    """The unit table admins keep (service.units), else the tenant's units.csv."""
    kept = units.units_frame(db)
    if len(kept):
        return kept
    path = Path(settings.served_tenant_dir) / "units.csv"
    return read_table(path) if path.is_file() else None


def _train(kwargs: dict) -> tuple[dict, dict]:
    """Runs in the training process."""
    from pipeline.lifecycle.retrain import base_info_of, load_base, retrain

    path, columns = kwargs.pop("base_path"), kwargs.pop("base_columns")
    result = retrain(load_base(path, columns), kwargs.pop("decided"), kwargs.pop("out_dir"),
                     base_info=base_info_of(path, columns), **kwargs)
    return result.manifest, result.comparison


class Retrainer:
    """Retrains of this server process, each in a process of its own (service.training_process)."""

    def __init__(self, db: Database, settings: Settings, inline: bool = False):
        self.db = db
        self.settings = settings
        # inline: train in the calling thread and return when done (the command line waits anyway)
        self._pool: ChildProcessExecutor | _InlineExecutor = _InlineExecutor() if inline else ChildProcessExecutor()
        self._running: set[str] = set()
        self.stale_seconds = 3 * settings.retrain_heartbeat_seconds + 5
        self._heartbeat = training_owner.Heartbeat(db, settings.retrain_heartbeat_seconds,
                                                   busy=lambda: bool(self._running))

    def reap(self) -> list[str]:
        """Mark failed every retrain whose server process is gone (service.training_owner)."""
        return training_owner.reap(self.db, stale=self.stale_seconds,
                                   timeout=self.settings.retrain_timeout_seconds)

    def start(self, created_by: str) -> str:
        """Register a ``training`` version and train it in the background; return its version."""
        active = registry.active_row(self.db)
        if active is None:
            raise Conflict("no_active_model", "Belum ada model aktif di registri; jalankan server sekali dulu.")
        base_path, columns = base_data(self.settings, active.manifest or {})
        version = new_version()
        out_dir = registry.store_of(self.settings).path(version)
        registry.start_training(self.db, version, out_dir, active.version, created_by,
                                self.settings.retrain_timeout_seconds, self.stale_seconds)
        self._running.add(version)
        self._heartbeat.ensure()
        job = {"base_path": base_path, "base_columns": columns, "decided": decided_frame(self.db),
               "out_dir": out_dir, "active_dir": active.path, "version": version,
               "holdout_fraction": self.settings.retrain_holdout_fraction,
               "min_holdout": self.settings.retrain_min_holdout, "units": unit_table(self.db, self.settings),
               "label_map": units.label_map(self.db)}
        try:
            future = self._pool.submit(_train, job, timeout=self.settings.retrain_timeout_seconds)
        except Exception as exc:
            self._running.discard(version)
            registry.fail_training(self.db, version, f"{type(exc).__name__}: {exc}")
            raise
        future.add_done_callback(lambda f: self._finished(version, f))
        return version

    def _finished(self, version: str, future: Future) -> None:
        self._running.discard(version)
        try:
            manifest, comparison = future.result()
        except BaseException as exc:  # noqa: BLE001 - whatever ended the job, the version says so
            if isinstance(exc, TrainingStopped):
                log.warning("retrain %s: %s", version, exc)
            else:
                log.exception("retrain %s failed", version)
            try:
                registry.fail_training(self.db, version, f"{type(exc).__name__}: {exc}")
            except SQLAlchemyError:
                pass  # shutting down: the timeout marks it failed later
            return
        try:
            registry.finish_training(self.db, version, manifest,
                                     {"validation": manifest.get("validation"), "comparison": comparison,
                                      "carried_over": manifest.get("carried_over") or {}})
        except SQLAlchemyError as exc:  # the server is shutting down: the version stays 'training' until timeout
            log.warning("retrain %s finished but cannot be recorded (%s)", version, str(exc).splitlines()[0])
            return
        log.info("retrain %s: candidate (%s)", version,
                 "passes the comparison" if comparison.get("passed") else "; ".join(comparison.get("reasons", [])))

    def shutdown(self) -> None:
        self._heartbeat.stop()
        self._pool.shutdown()  # a running retrain is killed: its version is failed, with why


class _InlineExecutor:
    """Runs a job at once in the calling thread (the command line waits for it; no timeout applies)."""

    def submit(self, fn, arg, timeout: float | None = None) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(arg))
        except BaseException as exc:  # noqa: BLE001
            future.set_exception(exc)
        return future

    def shutdown(self) -> None:
        pass
