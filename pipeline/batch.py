"""Batch runs over complaint files: streaming, resumable, atomic, and never dropping a row.

- Rows are read and processed in chunks; each finished chunk is appended to a partial file
  (JSON lines, flushed and fsync'ed) next to the output.
- ``resume=True`` continues after the last complete row of that partial file, provided the input
  file and the options are unchanged (checked against a small sidecar file).
- The output appears only when every row is done: the partial file is converted to the target
  format in a temporary file, which then replaces the output path in one rename.
- A row that cannot be processed yields an output row with ``error`` set, in its place.
- The output format is checked, and the input protected (``--out`` equal to ``--in`` is refused),
  before the first row is processed; an unfinished earlier run is never thrown away silently.
- ``keep`` copies input columns (the complaint text, areas, date) beside the results, so staff
  need not look every id up.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from pipeline.errors import DataError
from pipeline.gcpause import after_chunk, paused_gc
from pipeline.artifacts import umask_mode
from pipeline.io import ERROR, LINE, ROW, WARNING, columns_of, read_chunks
from pipeline.columns import InputColumns
from pipeline.settings import MAX_TEXT_CHARS
from pipeline.writers import OutputFormat, write_rows

log = logging.getLogger(__name__)

Process = Callable[[pd.DataFrame], list[dict]]
KEPT = "_keep:"  # prefix of input columns carried to the output


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
    out_of_tenant: int = 0  # rows the triage core found not to be from the model's region (never auto-routed)
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
    restart: bool = False,
    options: dict | None = None,
    progress: bool | None = None,
    workers: int = 1,
    max_text_chars: int = MAX_TEXT_CHARS,
    keep: list[str] | tuple[str, ...] | None = (),
    excel: bool = False,
) -> BatchSummary:
    """Process ``in_path`` into ``out_path``; ``keep=None`` keeps the text, area and date columns."""
    in_path, out_path = Path(in_path), Path(out_path)
    out_format = OutputFormat.for_path(out_path, excel=excel)
    _refuse_overwriting_input(in_path, out_path)
    available = columns_of(in_path, sep=columns.sep)
    columns.require(available, in_path)
    keep = _kept_columns(keep, available, in_path, columns)
    out_names = _output_names(keep, spec)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial.jsonl")
    sidecar = out_path.with_name(out_path.name + ".resume.json")
    fingerprint = _fingerprint(in_path, {**(options or {}), "keep": list(keep)})

    done = 0
    if resume and partial.exists() and sidecar.exists():
        saved = json.loads(sidecar.read_text(encoding="utf-8"))
        if saved != fingerprint:
            raise DataError(
                f"{out_path}: cannot resume: the input file or the options changed since the interrupted run; "
                "run again with --restart to start over"
            )
        done = _complete_lines(partial)
        log.info("resuming %s after %d completed rows", out_path, done)
    else:
        if partial.exists() and not restart:
            raise DataError(
                f"{out_path}: an unfinished run of this command exists ({partial.name}, "
                f"{_complete_lines(partial)} rows done); add --resume to continue it or --restart to start over"
            )
        partial.write_bytes(b"")
        _atomic_write_json(sidecar, fingerprint)

    summary = BatchSummary(resumed_from=done)
    started = time.perf_counter()
    bar = _progress_bar(progress, initial=done, total=_count_hint(in_path))
    chunks = (_with_kept(columns.standardise(c), c, keep)
              for c in read_chunks(in_path, chunk_size=chunk_size, skip_rows=done, sep=columns.sep))
    try:
        with open(partial, "ab") as out, _chunk_runner(workers, process, columns.text, spec,
                                                    max_text_chars) as run:
            for payload, n_rows, n_errors, n_foreign in run(chunks):
                out.write(payload)
                out.flush()
                os.fsync(out.fileno())
                summary.rows += n_rows
                summary.errors += n_errors
                summary.out_of_tenant += n_foreign
                if bar is not None:
                    bar.update(n_rows)
    finally:
        if bar is not None:
            bar.close()

    total_errors = _finalize(partial, out_path, out_format, out_names, spec)
    summary.rows += done
    summary.errors = total_errors
    partial.unlink(missing_ok=True)
    sidecar.unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - started
    summary.output = str(out_path)
    return summary


def _refuse_overwriting_input(in_path: Path, out_path: Path) -> None:
    same = out_path.resolve() == in_path.resolve()
    if not same and out_path.exists() and in_path.exists():
        same = os.path.samefile(in_path, out_path)
    if same:
        raise DataError(f"{out_path}: --out is the input file; choose another output path (the input is unchanged)")


def _kept_columns(keep, available: list[str], in_path: Path, columns: InputColumns) -> list[str]:
    if keep is None:  # the default: what staff need to read a result without looking the id up
        return [c for c in (columns.text, columns.kecamatan, columns.kelurahan, columns.time)
                if c and c in available]
    missing = [c for c in keep if c not in available]
    if missing:
        raise DataError(f"{in_path}: --keep column {', '.join(repr(m) for m in missing)} is not in the file; "
                        f"columns in file: {', '.join(repr(c) for c in available)}")
    return list(dict.fromkeys(keep))


def _output_names(keep: list[str], spec: OutputSpec) -> dict[str, str]:
    """Output name of each kept input column: its own, or ``input_<name>`` where a result has it."""
    taken = set(spec.names)
    return {c: (f"input_{c}" if c in taken else c) for c in keep}


def _with_kept(std: pd.DataFrame, raw: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    for c in keep:
        std[KEPT + c] = raw[c].to_numpy()
    return std


def _count_hint(in_path: Path) -> int | None:
    """Rows in the input for the progress bar's total and ETA, when cheap to know (Parquet metadata, or the
    line count of a text file under 200 MB: an estimate where texts hold line breaks)."""
    try:
        if in_path.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return pq.ParquetFile(in_path).metadata.num_rows
        if in_path.suffix.lower() in (".csv", ".tsv", ".txt", ".jsonl", ".ndjson") \
                and in_path.stat().st_size < 200 << 20:
            with open(in_path, "rb") as fh:
                lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
            return max(lines - (0 if in_path.suffix.lower() in (".jsonl", ".ndjson") else 1), 0)
    except (OSError, ValueError):
        return None
    return None


_WORKER_JOB: tuple | None = None  # (text_col, process, spec, max_chars), inherited by forked workers


def _encoded(rows: list[dict]) -> tuple[bytes, int, int, int]:
    """A chunk's rows as partial-file JSON lines, with its row, error and out-of-tenant counts."""
    payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    return (payload, len(rows), sum(1 for r in rows if r["error"]),
            sum(1 for r in rows if r.get("out_of_tenant")))


def _worker_chunk(chunk: pd.DataFrame) -> tuple[bytes, int, int, int]:
    encoded = _encoded(_process_chunk(chunk, *_WORKER_JOB))
    after_chunk()
    return encoded


@contextmanager
def _chunk_runner(workers: int, process: Process, text_col: str, spec: OutputSpec, max_chars: int = MAX_TEXT_CHARS):
    """Map chunks to encoded output rows (:func:`_encoded`), in order; with ``workers > 1`` in forked processes.

    The model is warmed first (``process.warm``: caches, matchers), then frozen out of the garbage
    collector's scans, which are paused while chunks run and done once per chunk instead
    (:mod:`pipeline.gcpause`). Forked workers inherit the already-loaded, warmed model, so no worker
    builds it again; at most two chunks per worker are in flight, so memory stays bounded however
    large the input. Workers also encode their rows, which keeps the parent's share (read, write) small.
    """
    warm = getattr(process, "warm", None)
    if warm is not None:
        warm()
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        def run_here(chunks):
            for chunk in chunks:
                encoded = _encoded(_process_chunk(chunk, text_col, process, spec, max_chars))
                after_chunk()
                yield encoded

        with paused_gc():
            yield run_here
        return
    global _WORKER_JOB
    _WORKER_JOB = (text_col, process, spec, max_chars)
    with paused_gc():  # frozen objects inherited from the parent also stay shared pages in the workers
        pool = multiprocessing.get_context("fork").Pool(workers)

        def run(chunks):
            pending: deque = deque()
            for chunk in chunks:
                pending.append(pool.apply_async(_worker_chunk, (chunk,)))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().get()
                    after_chunk()
            while pending:
                yield pending.popleft().get()

        try:
            yield run
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
    kept = [c for c in chunk.columns if isinstance(c, str) and c.startswith(KEPT)]
    kept_values = {c[len(KEPT):]: chunk[c].tolist() for c in kept}
    warnings = chunk[WARNING].tolist() if WARNING in chunk.columns else [""] * len(chunk)
    lines = chunk[LINE].tolist() if LINE in chunk.columns else [r + 2 for r in chunk[ROW]]
    for pos, (idx, row, rid) in enumerate(zip(chunk.index, chunk[ROW], ids)):
        record = {"id": rid}
        for name, values in kept_values.items():
            record[KEPT + name] = values[pos]
        if errors.loc[idx]:
            record.update(spec.empty_row())
            record["error"] = errors.loc[idx]
        else:
            record.update(results[row])
            record["error"] = ""
            if "warning" in spec.columns and warnings[pos]:
                record["warning"] = f"row {lines[pos]}: {warnings[pos]}"
        out.append(record)
    return out


def _read_partial(partial: Path) -> Iterable[dict]:
    with open(partial, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _finalize(partial: Path, out_path: Path, out_format: OutputFormat, kept: dict[str, str],
              spec: OutputSpec) -> int:
    """Write the target file from the partial one, atomically; return the number of error rows."""
    rows = ({**r, **{out: r.get(KEPT + src) for src, out in kept.items()}} for r in _read_partial(partial))
    return write_output(rows, out_path, out_format, spec, kept)


def write_output(rows: Iterable[dict], out_path: Path, out_format: OutputFormat | str, spec: OutputSpec,
                 kept: dict[str, str] | None = None) -> int:
    """Write output ``rows`` to ``out_path`` atomically (temporary file, then one rename); count error rows.

    ``kept``: input columns carried beside the results (source name → output name), after ``id``.
    """
    if isinstance(out_format, str):
        out_format = OutputFormat(out_format, "\t" if out_path.suffix.lower() == ".tsv" else ",")
    kept = kept or {}
    names = ["id", *kept.values(), *spec.columns, "error"]
    types = {"id": str, **{n: str for n in kept.values()}, **spec.columns, "error": str}
    fd, tmp_name = tempfile.mkstemp(prefix="." + out_path.name + ".", suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        errors = write_rows(rows, tmp, out_format, names, types)
        tmp.chmod(umask_mode(0o666))  # a shared drive's users must be able to read the output
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return errors


def _progress_bar(progress: bool | None, initial: int, total: int | None = None):
    """Rows done of the total, rate and ETA (tqdm), on a terminal unless told otherwise."""
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(initial=initial, total=total, unit=" rows", file=sys.stderr, dynamic_ncols=True)
