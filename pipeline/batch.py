"""Batch runs over complaint files: streaming, resumable, atomic, and never dropping a row.

- Rows are read and processed in chunks; each finished chunk is appended to a partial file
  (JSON lines, flushed and fsync'ed) next to the output.
- ``resume=True`` continues after the last complete row of that partial file, provided the input
  file and the options are unchanged (checked against a small sidecar file).
- The output appears only when every row is done: the partial file is converted to the target
  format in a temporary file, which then replaces the output path in one rename.
- A row that cannot be processed yields an output row with ``error`` set, in its place.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from pipeline.errors import DataError
from pipeline.io import ERROR, LINE, ROW, InputColumns, columns_of, read_chunks, table_format
from pipeline.settings import MAX_TEXT_CHARS

log = logging.getLogger(__name__)

Process = Callable[[pd.DataFrame], list[dict]]


@dataclass(frozen=True)
class OutputSpec:
    """Output columns (after ``id``, before ``error``) with their types: str, float, bool."""

    columns: dict[str, type]
    empty: dict[str, object] = field(default_factory=dict)

    def empty_row(self) -> dict:
        defaults = {str: "", float: None, bool: False, int: None}
        return {c: self.empty.get(c, defaults[t]) for c, t in self.columns.items()}

    @property
    def names(self) -> list[str]:
        return ["id", *self.columns, "error"]


@dataclass
class BatchSummary:
    rows: int = 0
    errors: int = 0
    resumed_from: int = 0
    seconds: float = 0.0
    output: str = ""

    def as_dict(self) -> dict:
        return {"rows": self.rows, "ok": self.rows - self.errors, "errors": self.errors,
                "resumed_from_row": self.resumed_from, "seconds": round(self.seconds, 2),
                "output": self.output}


def validate_rows(chunk: pd.DataFrame, text_col: str, max_chars: int = MAX_TEXT_CHARS) -> pd.Series:
    """Per-row error message ("" when fine), naming the row as the user sees it (Excel's number).

    Texts longer than ``max_chars`` (``LAPOR_MAX_TEXT_CHARS``; by default the API's limit) are errors,
    not truncated: the row stays in place and says why it was not processed.
    """
    limit = max_chars
    lines = chunk[LINE] if LINE in chunk.columns else chunk[ROW] + 2
    messages = []
    for line, text, err in zip(lines, chunk["text"], chunk[ERROR]):
        if err:
            messages.append(f"row {line}: {err}")
        elif not isinstance(text, str) or not text.strip():
            messages.append(f"row {line}: column '{text_col}' is empty")
        elif len(text) > limit:
            messages.append(f"row {line}: column '{text_col}' has {len(text):,} characters; the limit is "
                            f"{limit:,} (LAPOR_MAX_TEXT_CHARS)")
        else:
            messages.append("")
    return pd.Series(messages, index=chunk.index)


def _fingerprint(path: Path, options: dict) -> dict:
    st = path.stat()
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        h.update(fh.read(1 << 20))
    return {"input": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "head_sha256": h.hexdigest(), "options": options}


def _complete_lines(partial: Path) -> int:
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


def _atomic_write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def run_batch(
    in_path: str | Path,
    out_path: str | Path,
    columns: InputColumns,
    process: Process,
    spec: OutputSpec,
    *,
    chunk_size: int = 2000,
    resume: bool = False,
    options: dict | None = None,
    progress: bool | None = None,
    workers: int = 1,
    max_text_chars: int = MAX_TEXT_CHARS,
) -> BatchSummary:
    in_path, out_path = Path(in_path), Path(out_path)
    out_format = table_format(out_path)
    columns.require(columns_of(in_path, sep=columns.sep), in_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial.jsonl")
    sidecar = out_path.with_name(out_path.name + ".resume.json")
    fingerprint = _fingerprint(in_path, options or {})

    done = 0
    if resume and partial.exists() and sidecar.exists():
        saved = json.loads(sidecar.read_text(encoding="utf-8"))
        if saved != fingerprint:
            raise DataError(
                f"{out_path}: cannot resume: the input file or the options changed since the interrupted run; "
                "run again without --resume to start over"
            )
        done = _complete_lines(partial)
        log.info("resuming %s after %d completed rows", out_path, done)
    else:
        if partial.exists():
            log.warning("%s: discarding an earlier unfinished run (use --resume to continue it)", partial)
        partial.write_bytes(b"")
        _atomic_write_json(sidecar, fingerprint)

    summary = BatchSummary(resumed_from=done)
    started = time.perf_counter()
    bar = _progress_bar(progress, initial=done)
    chunks = (columns.standardise(c) for c in read_chunks(in_path, chunk_size=chunk_size, skip_rows=done, sep=columns.sep))
    try:
        with open(partial, "ab") as out, _chunk_runner(workers, process, columns.text, spec,
                                                    max_text_chars) as run:
            for rows in run(chunks):
                out.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
                out.flush()
                os.fsync(out.fileno())
                summary.rows += len(rows)
                summary.errors += sum(1 for r in rows if r["error"])
                if bar is not None:
                    bar.update(len(rows))
    finally:
        if bar is not None:
            bar.close()

    total_errors = _finalize(partial, out_path, out_format, spec)
    summary.rows += done
    summary.errors = total_errors
    partial.unlink(missing_ok=True)
    sidecar.unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - started
    summary.output = str(out_path)
    return summary


_WORKER_JOB: tuple | None = None  # (text_col, process, spec, max_chars), inherited by forked workers


def _worker_chunk(chunk: pd.DataFrame) -> list[dict]:
    return _process_chunk(chunk, *_WORKER_JOB)


@contextmanager
def _chunk_runner(workers: int, process: Process, text_col: str, spec: OutputSpec, max_chars: int = MAX_TEXT_CHARS):
    """Map chunks to output rows, in order; with ``workers > 1`` in forked processes.

    Forked workers inherit the already-loaded model, so it is neither reloaded nor pickled per task.
    """
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda chunks: (_process_chunk(c, text_col, process, spec, max_chars) for c in chunks)
        return
    global _WORKER_JOB
    _WORKER_JOB = (text_col, process, spec, max_chars)
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        yield lambda chunks: pool.imap(_worker_chunk, chunks)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _WORKER_JOB = None


def _process_chunk(chunk: pd.DataFrame, text_col: str, process: Process, spec: OutputSpec,
                   max_chars: int = MAX_TEXT_CHARS) -> list[dict]:
    errors = validate_rows(chunk, text_col, max_chars)
    ids = [i if i else str(r + 1) for i, r in zip(chunk["id"], chunk[ROW])]
    ok = chunk[errors == ""]
    results: dict[int, dict] = {}
    if not ok.empty:
        try:
            for row, res in zip(ok[ROW], process(ok)):
                results[row] = res
        except Exception:  # isolate the row(s) at fault; the others still get results
            log.exception("chunk failed; retrying its rows one by one")
            for i in range(len(ok)):
                one = ok.iloc[i : i + 1]
                try:
                    results[int(one[ROW].iloc[0])] = process(one)[0]
                except Exception as exc:
                    errors.loc[one.index[0]] = f"row {int(one[LINE].iloc[0])}: cannot process: {exc}"
    out = []
    for idx, row, rid in zip(chunk.index, chunk[ROW], ids):
        record = {"id": rid}
        if errors.loc[idx]:
            record.update(spec.empty_row())
            record["error"] = errors.loc[idx]
        else:
            record.update(results[row])
            record["error"] = ""
        out.append(record)
    return out


def _read_partial(partial: Path) -> Iterable[dict]:
    with open(partial, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _finalize(partial: Path, out_path: Path, out_format: str, spec: OutputSpec) -> int:
    """Write the target file from the partial one, atomically; return the number of error rows."""
    return write_output(_read_partial(partial), out_path, out_format, spec)


def write_output(rows: Iterable[dict], out_path: Path, out_format: str, spec: OutputSpec) -> int:
    """Write output ``rows`` to ``out_path`` atomically (temporary file, then one rename); count error rows."""
    fd, tmp_name = tempfile.mkstemp(prefix="." + out_path.name + ".", suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    errors = 0
    try:
        if out_format == "csv":
            delimiter = "\t" if out_path.suffix.lower() == ".tsv" else ","
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=spec.names, delimiter=delimiter, extrasaction="ignore")
                writer.writeheader()
                for r in rows:
                    errors += bool(r["error"])
                    writer.writerow({k: _csv_value(r.get(k)) for k in spec.names})
                fh.flush()
                os.fsync(fh.fileno())
        elif out_format == "jsonl":
            with open(tmp, "w", encoding="utf-8") as fh:
                for r in rows:
                    errors += bool(r["error"])
                    fh.write(json.dumps({k: r.get(k) for k in spec.names}, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        elif out_format == "parquet":
            errors = _write_parquet(rows, tmp, spec)
        else:
            raise DataError(f"{out_path}: cannot write {out_format} output; use .csv, .jsonl or .parquet")
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return errors


def _csv_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else v


def _write_parquet(rows: Iterable[dict], tmp: Path, spec: OutputSpec) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {str: pa.string(), float: pa.float64(), bool: pa.bool_(), int: pa.int64()}
    schema = pa.schema([("id", pa.string())] + [(c, types[t]) for c, t in spec.columns.items()]
                       + [("error", pa.string())])
    errors = 0
    with pq.ParquetWriter(tmp, schema) as writer:
        batch: list[dict] = []
        for r in rows:
            errors += bool(r["error"])
            batch.append({k: r.get(k) for k in spec.names})
            if len(batch) >= 10_000:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return errors


def _progress_bar(progress: bool | None, initial: int):
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(initial=initial, unit=" rows", file=sys.stderr, dynamic_ncols=True)
