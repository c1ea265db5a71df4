"""``lapor-triage models list|retrain|promote VERSION [--override]``: the model registry from the command line.

The same operations as ``/v1/models``, on the database of ``LAPOR_DATABASE_URL``: ``retrain`` trains here and
waits, ``promote`` makes a version active — every running server switches to it within
``LAPOR_MODEL_POLL_SECONDS``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from pipeline.errors import DataError
from service import registry
from service.errors import DomainError
from service.settings import ServiceSettings


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "cli"


def _print(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _run(action):
    from service.cli import _database, _require_migrated

    settings = ServiceSettings()
    db = _database(settings)
    try:
        _require_migrated(db)
        registry.ensure_active(db, settings)
        return action(db, settings)
    except DomainError as exc:
        raise DataError(exc.detail) from None
    finally:
        db.dispose()


def models_list(args: argparse.Namespace) -> int:
    _print(_run(lambda db, s: [registry.version_out(r) for r in registry.list_versions(db)]))
    return 0


def models_retrain(args: argparse.Namespace) -> int:
    from service.retrain_job import Retrainer

    def action(db, settings):
        version = Retrainer(db, settings, inline=True).start(_who())
        return registry.version_out(registry.get_version(db, version))

    row = _run(action)
    _print(row)
    if row["status"] != registry.CANDIDATE:
        raise DataError(f"retrain {row['version']} failed: {row['error']}")
    comparison = row["metrics"].get("comparison") or {}
    verdict = "passes the comparison" if comparison.get("passed") else \
        "does not pass the comparison (" + "; ".join(comparison.get("reasons") or []) + "): promote needs --override"
    print(f"candidate {row['version']} {verdict}", file=sys.stderr)
    return 0


def models_promote(args: argparse.Namespace) -> int:
    row = _run(lambda db, s: registry.version_out(registry.promote(db, args.version, _who(), args.override)))
    _print(row)
    print(f"{row['version']} is active; running servers switch to it within a few seconds", file=sys.stderr)
    return 0
