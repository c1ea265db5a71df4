"""The model registry: every model version in ``model_versions``, its artifacts in the versioned store.

Statuses: ``training`` → ``candidate`` (or ``failed``); promoting a version makes it ``active`` and the one
active before ``retired``; promoting a retired version back is a rollback. Exactly one version is active once
a server has started (:func:`ensure_active` registers the configured model directory on first start). Every
server process polls :func:`active_version` and switches models when it changes (:mod:`service.model_switch`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pipeline.artifacts import read_manifest, verify_bundle
from pipeline.errors import ArtifactError
from pipeline.lifecycle.store import ModelStore
from service import training_owner
from service.db import Database
from service.errors import Conflict, not_found
from service.models import ModelVersion, utcnow
from service.settings import Settings

log = logging.getLogger(__name__)

TRAINING, CANDIDATE, ACTIVE, RETIRED, FAILED = "training", "candidate", "active", "retired", "failed"
MODEL_STATUSES = (TRAINING, CANDIDATE, ACTIVE, RETIRED, FAILED)
PROMOTABLE = (CANDIDATE, RETIRED, ACTIVE)
SYSTEM = "system (first start)"


def store_of(settings: Settings) -> ModelStore:
    return ModelStore(settings.model_store)


def version_out(row: ModelVersion) -> dict:
    """The API's and console's view of a registry row."""
    manifest = row.manifest or {}
    stamp = lambda t: t.isoformat(timespec="seconds") if t else None  # noqa: E731
    return {"version": row.version, "status": row.status, "metrics": row.metrics or {},
            "components": manifest.get("components") or {}, "carried_over": manifest.get("carried_over") or {},
            "labels": len(manifest.get("labels") or []),
            "training_data_hash": row.training_data_hash, "training_data": manifest.get("training_data"),
            "parent_version": row.parent_version, "created_by": row.created_by, "created_at": stamp(row.created_at),
            "finished_at": stamp(row.finished_at), "promoted_by": row.promoted_by,
            "promoted_at": stamp(row.promoted_at), "override": bool(row.override), "error": row.error}


def _manifest_row(version: str, path: Path, manifest: dict, status: str, created_by: str) -> ModelVersion:
    return ModelVersion(version=version, status=status, path=str(path), manifest=manifest,
                        metrics={"validation": manifest.get("validation")},
                        training_data_hash=(manifest.get("training_data") or {}).get("sha256"),
                        parent_version=manifest.get("parent_version"), created_by=created_by,
                        created_at=utcnow(), finished_at=utcnow(), override=False)


def register_dir(db: Database, settings: Settings, model_dir: Path, status: str, created_by: str) -> str:
    """Copy a model directory into the store and register it (kept as it is when already registered)."""
    version, path = store_of(settings).import_dir(model_dir)
    manifest = read_manifest(path)
    try:
        with db.session(write=True) as session, session.begin():
            if session.scalar(select(ModelVersion.id).where(ModelVersion.version == version)) is None:
                session.add(_manifest_row(version, path, manifest, status, created_by))
    except IntegrityError:  # a sibling process registered it at the same moment
        pass
    return version


def ensure_active(db: Database, settings: Settings) -> ModelVersion:
    """The active version; on first start the configured model directory (LAPOR_MODEL_DIR) becomes it.

    A model directory that holds another, unregistered version later is registered as a candidate (the
    registry, not the directory, says what is served: promote it to serve it)."""
    model_dir = Path(settings.model_dir)
    active = active_row(db)
    if active is None:
        version = register_dir(db, settings, model_dir, ACTIVE, SYSTEM)
        with db.session(write=True) as session, session.begin():
            if session.scalar(select(ModelVersion.id).where(ModelVersion.status == ACTIVE)) is None:
                session.execute(update(ModelVersion).where(ModelVersion.version == version)
                                .values(status=ACTIVE, promoted_by=SYSTEM, promoted_at=utcnow()))
        active = active_row(db)
    elif (model_dir / "manifest.json").is_file():
        configured = read_manifest(model_dir)["model_version"]
        if configured != active.version and get_row(db, configured) is None:
            register_dir(db, settings, model_dir, CANDIDATE, SYSTEM)
            log.warning("%s holds model %s; the registry serves %s. Registered %s as a candidate: promote it "
                        "with 'lapor-triage models promote %s' to serve it", model_dir, configured, active.version,
                        configured, configured)
    return active


def active_row(db: Database) -> ModelVersion | None:
    with db.session() as session:
        return session.scalars(select(ModelVersion).where(ModelVersion.status == ACTIVE)
                               .order_by(ModelVersion.promoted_at.desc()).limit(1)).first()


def active_version(db: Database) -> str | None:
    with db.session() as session:
        return session.scalar(select(ModelVersion.version).where(ModelVersion.status == ACTIVE)
                              .order_by(ModelVersion.promoted_at.desc()).limit(1))


def get_row(db: Database, version: str) -> ModelVersion | None:
    with db.session() as session:
        return session.scalar(select(ModelVersion).where(ModelVersion.version == version))


def get_version(db: Database, version: str) -> ModelVersion:
    row = get_row(db, version)
    if row is None:
        raise not_found("Versi model")
    return row


def list_versions(db: Database) -> list[ModelVersion]:
    with db.session() as session:
        return list(session.scalars(select(ModelVersion).order_by(ModelVersion.created_at.desc(),
                                                                  ModelVersion.id.desc())).all())


def start_training(db: Database, version: str, path: Path, parent: str | None, created_by: str,
                   timeout_seconds: float, stale_seconds: float | None = None) -> None:
    """Register a ``training`` version owned by this process; one retrain at a time. A job that can no longer
    finish (its server process gone, silent for ``stale_seconds``, or older than ``timeout_seconds``:
    :func:`service.training_owner.abandoned`) is marked failed with why and no longer blocks."""
    now = utcnow()
    stale = timeout_seconds if stale_seconds is None else stale_seconds
    with db.session(write=True) as session, session.begin():
        session.execute(select(ModelVersion.id).with_for_update())
        for row in session.scalars(select(ModelVersion).where(ModelVersion.status == TRAINING)).all():
            reason = training_owner.abandoned(row, now, stale=stale, timeout=timeout_seconds)
            if reason is None:
                raise Conflict("retrain_running", f"Pelatihan ulang {row.version} masih berjalan (dimulai oleh "
                                                  f"{row.created_by}); tunggu sampai selesai.")
            row.status, row.finished_at, row.error = FAILED, now, reason
        session.add(ModelVersion(version=version, status=TRAINING, path=str(path), parent_version=parent,
                                 created_by=created_by, created_at=now, override=False,
                                 owner=training_owner.me(), heartbeat_at=now))


def finish_training(db: Database, version: str, manifest: dict, metrics: dict) -> None:
    with db.session(write=True) as session, session.begin():
        session.execute(update(ModelVersion).where(ModelVersion.version == version, ModelVersion.status == TRAINING)
                        .values(status=CANDIDATE, manifest=manifest, metrics=metrics, finished_at=utcnow(),
                                training_data_hash=(manifest.get("training_data") or {}).get("sha256")))


def fail_training(db: Database, version: str, error: str) -> None:
    with db.session(write=True) as session, session.begin():
        session.execute(update(ModelVersion).where(ModelVersion.version == version, ModelVersion.status == TRAINING)
                        .values(status=FAILED, error=error[:4000], finished_at=utcnow()))


def gate_passed(row: ModelVersion) -> bool | None:
    gate = (row.metrics or {}).get("comparison")
    return gate.get("passed") if isinstance(gate, dict) else None


def promote(db: Database, version: str, by: str, override: bool = False) -> ModelVersion:
    """Make ``version`` the active one (the active one retires). A candidate the comparison found worse than the
    model it was compared with needs ``override``; a retired version (a rollback) does not."""
    with db.session(write=True) as session, session.begin():
        session.execute(select(ModelVersion.id).with_for_update())  # one promotion at a time (PostgreSQL)
        row = session.scalar(select(ModelVersion).where(ModelVersion.version == version))
        if row is None:
            raise not_found("Versi model")
        if row.status == ACTIVE:
            return row
        if row.status not in PROMOTABLE:
            raise Conflict("model_not_promotable", f"Versi {version} berstatus '{row.status}' dan tidak dapat "
                                                   "diaktifkan (hanya kandidat atau versi lama).")
        try:
            verify_bundle(row.path)  # every process is about to load it: refuse a missing or altered directory
        except ArtifactError as exc:
            raise Conflict("model_broken", f"Versi {version} tidak dapat diaktifkan: {exc}") from None
        worse = row.status == CANDIDATE and gate_passed(row) is False
        if worse and not override:
            reasons = "; ".join((row.metrics or {}).get("comparison", {}).get("reasons") or [])
            raise Conflict("model_worse", f"Kandidat {version} lebih buruk daripada model aktif pada data uji "
                                          f"terbaru ({reasons}). Aktifkan dengan override bila memang disengaja.")
        now = utcnow()
        session.execute(update(ModelVersion).where(ModelVersion.status == ACTIVE, ModelVersion.id != row.id)
                        .values(status=RETIRED))
        row.status, row.promoted_by, row.promoted_at, row.override = ACTIVE, by, now, bool(worse and override)
        session.flush()
        session.expunge(row)
    log.info("model %s promoted by %s%s", version, by, " (override)" if row.override else "")
    return row
