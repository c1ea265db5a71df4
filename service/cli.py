"""Service commands: ``db upgrade``, ``keys create|revoke|list``, ``export-feedback``, ``serve``.

Registered into ``lapor-triage`` by :mod:`service.commands` (an entry-point plugin). All use the server's database settings
(``LAPOR_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from pipeline.errors import ArtifactError, DataError, LaporError
from service.settings import ServiceSettings


def _settings() -> ServiceSettings:
    return ServiceSettings()


def _database(settings: ServiceSettings):
    from service.db import Database

    return Database(settings)


def _require_migrated(db) -> None:
    from service.migrations import current_revision, head_revision

    try:
        rev = current_revision(db.engine)
    except Exception as exc:
        raise LaporError(f"database {db.engine.url.render_as_string(hide_password=True)} is unreachable: "
                         f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None
    if rev != head_revision():
        raise LaporError(f"database is at migration {rev or '(none)'}, not {head_revision()}: "
                         "run 'lapor-triage db upgrade' first")


def db_upgrade(args: argparse.Namespace) -> int:
    from service.migrations import head_revision, upgrade

    settings = _settings()
    upgrade(settings.database_url, args.revision)
    if args.revision == "head":  # the per-day statistics tables, in the served tenant's time zone
        from service.stats_daily import ensure_built
        from service.tenant import Tenant

        ensure_built(_database(settings), Tenant.load(settings.served_tenant_dir).time_zone)
    print(f"database migrated to {head_revision() if args.revision == 'head' else args.revision}", file=sys.stderr)
    return 0


def keys_create(args: argparse.Namespace) -> int:
    from service.auth import create_key

    db = _database(_settings())
    _require_migrated(db)
    try:
        with db.session(write=True) as session, session.begin():
            row, plain = create_key(session, args.role, args.name)
            key_id = row.id
    except ValueError as exc:
        raise DataError(str(exc)) from None
    finally:
        db.dispose()
    print(f"created key {key_id} ({args.role}, {args.name!r}); it is shown once, store it now:", file=sys.stderr)
    print(plain)
    return 0


def keys_revoke(args: argparse.Namespace) -> int:
    from service.auth import revoke_key

    db = _database(_settings())
    _require_migrated(db)
    try:
        with db.session(write=True) as session, session.begin():
            row = revoke_key(session, args.key_id)
            if row is None:
                raise DataError(f"no API key with id {args.key_id} (see 'lapor-triage keys list')")
    finally:
        db.dispose()
    print(f"revoked key {args.key_id} ({row.name}); servers stop accepting it within a few seconds")
    return 0


def keys_list(args: argparse.Namespace) -> int:
    from service.admin_models import ApiKey

    db = _database(_settings())
    _require_migrated(db)
    try:
        with db.session() as session:
            rows = session.scalars(select(ApiKey).order_by(ApiKey.id)).all()
    finally:
        db.dispose()
    out = [{"id": r.id, "name": r.name, "role": r.role, "prefix": r.prefix,
            "created_at": r.created_at.isoformat(timespec="seconds"),
            "revoked_at": r.revoked_at.isoformat(timespec="seconds") if r.revoked_at else None} for r in rows]
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


FEEDBACK_COLUMNS = ["id", "text", "kecamatan", "kelurahan", "address", "created_at", "opd", "suggested_opd",
                    "source", "decided_at", "model_version"]


def feedback_frame(db, include_auto: bool = False) -> pd.DataFrame:
    """Decided complaints in the router's training format: ``text`` is the PII-masked text, and the address and
    area names are masked the same way (:mod:`service.masking`) — the file leaves the service."""
    from service.masking import masked
    from service.models import MERGED, Complaint
    from service.repository import latest_triage
    from service.workflow import MODEL_ROUTER

    q = select(Complaint).where(Complaint.routed_opd.is_not(None), Complaint.status != MERGED)
    if not include_auto:
        q = q.where(Complaint.routed_by != MODEL_ROUTER)
    rows = []
    with db.session() as session:
        complaints = session.scalars(q.order_by(Complaint.id)).all()
        versions = {k: v.model_version for k, v in latest_triage(session, [c.id for c in complaints]).items()}
        for c in complaints:
            rows.append({
                "id": c.external_id or f"lapor-{c.id}", "text": c.masked_text,
                "kecamatan": masked(c.kecamatan) or "", "kelurahan": masked(c.kelurahan) or "",
                "address": masked(c.address) or "",
                "created_at": (c.submitted_at or c.received_at).strftime("%Y-%m-%d %H:%M:%S"),
                "opd": c.routed_opd, "suggested_opd": c.suggested_opd or "",
                "source": "model" if c.routed_by == MODEL_ROUTER else "operator",
                "decided_at": c.routed_at.isoformat(timespec="seconds") if c.routed_at else "",
                "model_version": versions.get(c.id, ""),
            })
    return pd.DataFrame(rows, columns=FEEDBACK_COLUMNS)


def export_feedback(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".parquet"):
        raise DataError(f"{out}: unsupported output type '{suffix or '(none)'}'; use .csv, .jsonl or .parquet")
    db = _database(_settings())
    _require_migrated(db)
    try:
        df = feedback_frame(db, include_auto=args.include_auto)
    finally:
        db.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    if suffix == ".csv":  # spreadsheet-safe: a cell starting with = + - @ gets a leading ' (as batch output)
        from pipeline.writers import spreadsheet_safe

        df.map(spreadsheet_safe).to_csv(tmp, index=False)
    elif suffix == ".jsonl":
        df.to_json(tmp, orient="records", lines=True, force_ascii=False)
    else:
        df.to_parquet(tmp, index=False)
    os.replace(tmp, out)
    print(f"{len(df)} decided complaints → {out}. To learn from them, retrain on the active model's base data plus "
          "these decisions, keeping its screener: 'lapor-triage models retrain' (training on this file alone gives a "
          "routing-only model that knows only the units decided here)")
    return 0


def ensure_admin_key(db) -> str | None:
    """On first start (no keys at all) create a local admin key and return it."""
    from service.auth import create_key
    from service.admin_models import ApiKey

    with db.session(write=True) as session, session.begin():
        if session.scalar(select(func.count()).select_from(ApiKey)):
            return None
        _, plain = create_key(session, "admin", "local-admin (first start)")
        return plain


def check_port(host: str, port: int) -> None:
    """A one-line error naming the setting when ``host:port`` cannot be listened on (taken, not allowed)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = "is already in use (another lapor-triage serve?)" if exc.errno == errno.EADDRINUSE else \
                f"cannot be used ({exc.strerror or exc})"
            raise LaporError(f"port {port} on {host} {why}: set LAPOR_PORT (or --port) to a free port, "
                             "e.g. LAPOR_PORT=8001 make run") from None


def first_contact_lines(host: str, port: int, key: str | None) -> tuple[list[str], str]:
    """What ``serve`` tells a person once it listens: notes (stderr) and the last line (stdout)."""
    url = f"http://{host}:{port}/"
    if key:
        return (["first start: created a local admin API key (stored hashed; shown only now); try:",
                 f"  curl -H 'Authorization: Bearer {key}' {url}v1/model"],
                f"console: {url}  key: {key}")
    return (["API keys exist already (none is shown again); to get one: lapor-triage keys create --role admin "
             f"--name YOUR-NAME (roles: operator, analyst, admin)"],
            f"console: {url}  key: lapor-triage keys create --role admin --name YOUR-NAME")


def _announcing_server(config, notes: list[str], last: str):
    """A uvicorn server that prints ``last`` once it is listening, after uvicorn's own start-up lines."""
    import uvicorn

    class Announcing(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if not self.should_exit:
                for line in notes:
                    print(line, file=sys.stderr, flush=True)
                print(last, flush=True)

    return Announcing(config)


def serve(args: argparse.Namespace, model_dir: Path) -> int:
    import uvicorn

    from pipeline.artifacts import read_manifest

    settings = _settings()
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.server_workers
    try:
        read_manifest(model_dir)
    except ArtifactError as exc:
        raise ArtifactError(f"{exc}; build it with 'lapor-triage build-default' or set LAPOR_MODEL_DIR") from None
    check_port(host, port)
    db = _database(settings)
    try:
        _require_migrated(db)
        key = ensure_admin_key(db)
    finally:
        db.dispose()
    notes, last = first_contact_lines(host, port, key)
    if workers == 1:  # the settings read above are the ones served: no round trip through the environment
        from service.app import create_app

        config = uvicorn.Config(create_app(settings), host=host, port=port, log_level=args.log_level,
                                access_log=args.access_log)
        _announcing_server(config, notes, last).run()
        return 0
    for line in notes:  # several workers: uvicorn's supervisor starts them; say it before
        print(line, file=sys.stderr)
    print(last, flush=True)
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # the one variable we set: prometheus_client reads it in each worker process to share metrics
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="lapor-metrics-")
    uvicorn.run("service.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level=args.log_level, access_log=args.access_log)
    return 0


def seed_demo(args: argparse.Namespace, model_dir: Path, tenant_dir: Path) -> int:
    """Store and triage the demo backlog and a year of answered history (see :mod:`service.demo_seed`)."""
    from pipeline.model import TriageModel
    from service.model_switch import load_tenant
    from service.demo_seed import seed
    from service.duplicates import attach_duplicate_index
    from service.triage import Triage

    settings = _settings()
    db = _database(settings)
    try:
        _require_migrated(db)
        triage = Triage.from_model(TriageModel.load(model_dir))
        attach_duplicate_index(triage, db, settings.duplicate_window_days)
        from service.recurring import attach_recurring

        attach_recurring(db, settings.recurring_window_days)
        tenant = load_tenant(settings, triage, db)
        results = seed(db, triage, tenant, tenant_dir, args.count, getattr(args, "history", None))
    finally:
        db.dispose()
    created = sum(r.status == "created" for r in results)
    print(f"demo complaints: {created} stored and triaged, {len(results) - created} already present", file=sys.stderr)
    return 0
