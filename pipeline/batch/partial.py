"""The partial file of a run (``OUT.partial.jsonl``: finished rows, fsync'ed chunk by chunk) and its sidecar
(``OUT.resume.json``: the input and options it was made from), which make a killed run resumable."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Iterable

from pipeline.errors import DataError

log = logging.getLogger(__name__)


def fingerprint(path: Path, options: dict) -> dict:
    st = path.stat()
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        h.update(fh.read(1 << 20))
    return {"input": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "head_sha256": h.hexdigest(), "options": options}


def complete_lines(partial: Path) -> int:
    """Count complete JSON lines, cutting off a torn last line from a killed run."""
    good_bytes = 0
    count = 0
    with open(partial, "rb") as fh:
        for line in fh:
            if not line.endswith(b"\n"):
                break
            try:
                json.loads(line)
            except ValueError:
                break
            good_bytes += len(line)
            count += 1
    with open(partial, "r+b") as fh:
        fh.truncate(good_bytes)
    return count


def atomic_write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def read_partial(partial: Path) -> Iterable[dict]:
    with open(partial, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def start_or_resume(partial: Path, sidecar: Path, stamp: dict, out_path: Path, *, resume: bool,
                    restart: bool) -> int:
    """Rows already done: those of the partial file when resuming an unchanged run, else 0 (a new,
    empty partial file). An unfinished run is never discarded without ``restart``."""
    if resume and partial.exists() and sidecar.exists():
        saved = json.loads(sidecar.read_text(encoding="utf-8"))
        if saved != stamp:
            raise DataError(
                f"{out_path}: cannot resume: the input file or the options changed since the interrupted run; "
                "run again with --restart to start over"
            )
        done = complete_lines(partial)
        log.info("resuming %s after %d completed rows", out_path, done)
        return done
    if partial.exists() and not restart:
        raise DataError(
            f"{out_path}: an unfinished run of this command exists ({partial.name}, "
            f"{complete_lines(partial)} rows done); add --resume to continue it or --restart to start over"
        )
    partial.write_bytes(b"")
    atomic_write_json(sidecar, stamp)
    return 0
