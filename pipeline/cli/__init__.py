"""``lapor-triage`` command line. Each sub-module registers its own sub-commands.

Commands of packages built on the library (the service's ``serve``, ``db``, ``keys`` …) are plugins:
a ``register(subparsers)`` function declared under the ``lapor_triage.commands`` entry-point group.
"""

from __future__ import annotations

import argparse
import logging
import sys
from importlib.metadata import entry_points

from pipeline import __version__
from pipeline.cli import compare, dedup, demo, route, screen
from pipeline.errors import LaporError, describe_os_error
from pipeline.settings import Settings

COMMAND_MODULES = (route, compare, demo, dedup, screen)
PLUGIN_GROUP = "lapor_triage.commands"


def plugin_registrars() -> list:
    """``register`` functions of installed command plugins, in name order."""
    return [ep.load() for ep in sorted(entry_points(group=PLUGIN_GROUP), key=lambda ep: ep.name)]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lapor-triage",
        description="Triage Indonesian citizen complaints: route to the responsible OPD, batch re-classify, evaluate.",
    )
    parser.add_argument("--version", action="version", version=f"lapor-triage {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in [m.register for m in COMMAND_MODULES] + plugin_registrars():
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s: %(message)s", stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are plugin chatter
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args, settings) or 0)
    except LaporError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # disk full, read-only or missing directory, a file in the path: one line
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        print("interrupted: finished rows are kept; run the same command with --resume to continue", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
