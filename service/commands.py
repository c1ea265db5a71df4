"""``db upgrade|seed-demo``, ``keys``, ``models list|retrain|promote``, ``export-feedback``, ``serve``: service commands.

A plugin of the ``lapor-triage`` command line: ``pyproject.toml`` declares :func:`register` under the
``lapor_triage.commands`` entry-point group, and :mod:`pipeline.cli` discovers it. The library never
imports the service; the service knows the library.
"""

from __future__ import annotations

import argparse

from pipeline.settings import Settings


def register(sub) -> None:
    p = sub.add_parser("db", help="database maintenance (uses LAPOR_DATABASE_URL; default sqlite:///lapor.db)")
    dsub = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    u = dsub.add_parser("upgrade", help="create or migrate the service's tables")
    u.add_argument("--revision", default="head", help="target migration (default: head)")
    u.set_defaults(handler=_db_upgrade)
    d = dsub.add_parser("seed-demo", help="store and triage demo-tenant complaints (idempotent), for a fresh console")
    d.add_argument("--count", type=int, default=None, help="only the first N demo backlog rows (default: all)")
    d.add_argument("--history", type=int, default=None,
                   help="also store the first N answered complaints of the demo year (default: all; 0: none)")
    d.set_defaults(handler=_db_seed_demo)

    p = sub.add_parser("keys", help="create, revoke and list API keys")
    ksub = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    c = ksub.add_parser("create", help="create a key; the key alone is printed on the last line of stdout")
    c.add_argument("--role", required=True, choices=("operator", "analyst", "admin"))
    c.add_argument("--name", required=True, help="who or what uses the key")
    c.set_defaults(handler=_keys_create)
    r = ksub.add_parser("revoke", help="revoke a key by id")
    r.add_argument("key_id", type=int)
    r.set_defaults(handler=_keys_revoke)
    ls = ksub.add_parser("list", help="list keys (never the keys themselves)")
    ls.set_defaults(handler=_keys_list)

    p = sub.add_parser("export-feedback", help="decided complaints as a training file for the router")
    p.add_argument("--out", required=True, help="output file: .csv, .jsonl or .parquet")
    p.add_argument("--include-auto", action="store_true",
                   help="also export complaints the model auto-routed (default: operator decisions only)")
    p.set_defaults(handler=_export_feedback)

    p = sub.add_parser("models", help="the model registry: list versions, retrain on decisions, promote or roll back")
    msub = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    ls = msub.add_parser("list", help="every registered version with status and metrics (JSON)")
    ls.set_defaults(handler=_models_list)
    r = msub.add_parser("retrain", help="train a candidate on the base data + decided complaints; waits")
    r.set_defaults(handler=_models_retrain)
    pr = msub.add_parser("promote", help="serve VERSION (rollback: an earlier version); servers switch in seconds")
    pr.add_argument("version")
    pr.add_argument("--override", action="store_true",
                    help="promote a candidate the comparison found worse than the active model")
    pr.set_defaults(handler=_models_promote)

    p = sub.add_parser("serve", help="serve the triage API (uvicorn); prints a local admin key on first start")
    p.add_argument("--host", help="default: LAPOR_HOST or 127.0.0.1")
    p.add_argument("--port", type=int, help="default: LAPOR_PORT or 8000")
    p.add_argument("--workers", type=int, help="uvicorn worker processes (default: LAPOR_SERVER_WORKERS or 1)")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    p.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=False)
    p.set_defaults(handler=_serve)


def _lazy(name: str, module: str = "cli"):
    """A handler that imports the service (FastAPI, SQLAlchemy …) only when its command runs."""

    def handler(args, settings: Settings) -> int:
        from importlib import import_module

        return getattr(import_module(f"service.{module}"), name)(args)

    return handler


_db_upgrade = _lazy("db_upgrade")
_keys_create = _lazy("keys_create")
_keys_revoke = _lazy("keys_revoke")
_keys_list = _lazy("keys_list")
_export_feedback = _lazy("export_feedback")
_models_list = _lazy("models_list", "model_cli")
_models_retrain = _lazy("models_retrain", "model_cli")
_models_promote = _lazy("models_promote", "model_cli")


def _db_seed_demo(args, settings: Settings) -> int:
    from service import cli

    return cli.seed_demo(args, settings.model_dir, settings.demo_tenant_dir)


def _serve(args, settings: Settings) -> int:
    from service import cli

    return cli.serve(args, settings.model_dir)
