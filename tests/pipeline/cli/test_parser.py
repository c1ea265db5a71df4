"""The command line's parser: every command listed, and built without the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

# the README's CLI reference, and the service plugin's commands (pyproject: lapor_triage.commands)
COMMANDS = ["train", "predict", "evaluate", "compare", "build-default", "demo", "dedup", "train-screening", "screen",
            "add-screening", "db", "keys", "export-feedback", "models", "serve"]


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_help_lists_every_command():
    out = _python("import sys; from pipeline.cli import main; sys.exit(main(['--help']))")
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("    ") and line.split()}
    assert set(COMMANDS) <= listed, sorted(set(COMMANDS) - listed)


def test_building_the_parser_imports_no_model_library():
    # a fresh interpreter: what building the parser (every command's options) imports, nothing more
    out = _python("import sys; from pipeline.cli import build_parser; build_parser(); "
                  "print(' '.join(m for m in ('sklearn', 'spacy', 'scipy', 'pandas', 'Sastrawi') if m in sys.modules))")
    assert out.strip() == ""


def test_every_command_still_parses_its_own_options():
    from pipeline.cli import build_parser

    args = build_parser().parse_args(["predict", "--model", "m", "--in", "a.csv", "--out", "b.csv", "--workers", "2"])
    assert (args.command, args.workers, args.handler.__name__) == ("predict", 2, "_predict")
