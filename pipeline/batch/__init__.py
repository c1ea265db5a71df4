"""Batch runs over complaint files: streaming, resumable, atomic, and never dropping a row.

- Rows are read and processed in chunks (:mod:`.chunks`); each finished chunk is appended to a
  partial file (JSON lines, flushed and fsync'ed) next to the output (:mod:`.partial`).
- ``resume=True`` continues after the last complete row of that partial file, provided the input
  file and the options are unchanged (checked against a small sidecar file).
- The output appears only when every row is done, in one rename (:mod:`.output`): CSV grows
  beside the partial file as chunks finish; other formats are converted from the partial file.
- A row that cannot be processed yields an output row with ``error`` set, in its place.
- The output format is checked, and the input protected (``--out`` equal to ``--in`` is refused),
  before the first row is processed; an unfinished earlier run is never thrown away silently.
- ``keep`` copies input columns (the complaint text, areas, date) beside the results, so staff
  need not look every id up (:mod:`.spec`).
"""

from __future__ import annotations

import os
import sys
import time
from functools import partial as bind
from pathlib import Path

from pipeline.batch.chunks import chunk_runner, prepared_chunk, process_chunk, validate_rows
from pipeline.batch.output import CsvBody, chunk_csv, finalize, write_output
from pipeline.batch.partial import fingerprint, start_or_resume
from pipeline.batch.spec import KEPT, BatchSummary, Layout, OutputSpec, Process, kept_columns, output_names
from pipeline.columns import InputColumns
from pipeline.errors import DataError
from pipeline.io import columns_of, read_units
from pipeline.settings import MAX_TEXT_CHARS
from pipeline.writers import OutputFormat

__all__ = ["KEPT", "BatchSummary", "OutputSpec", "Process", "process_chunk", "run_batch", "validate_rows",
           "write_output"]


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
    refuse_overwriting_input(in_path, out_path)
    available = columns_of(in_path, sep=columns.sep)
    columns.require(available, in_path)
    keep = kept_columns(keep, available, in_path, columns)
    out_names = output_names(keep, spec)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial.jsonl")
    sidecar = out_path.with_name(out_path.name + ".resume.json")
    done = start_or_resume(partial, sidecar, fingerprint(in_path, {**(options or {}), "keep": list(keep)}),
                           out_path, resume=resume, restart=restart)

    summary = BatchSummary(resumed_from=done)
    started = time.perf_counter()
    body = None
    if out_format.kind == "csv":  # written as chunks finish (pipeline/batch/output.py)
        layout = Layout.of(spec, out_names)
        body = CsvBody(out_path.with_name(out_path.name + ".partial.body"), layout, out_format)
        summary.errors = body.start(partial, done)
    bar = progress_bar(progress, initial=done, total=lambda: count_hint(in_path))
    units = read_units(in_path, chunk_size=chunk_size, skip_rows=done, sep=columns.sep)
    prepare = bind(prepared_chunk, columns=columns, keep=keep, skip_rows=done)
    try:
        with open(partial, "ab") as out, chunk_runner(
                workers, process, columns.text, spec, max_text_chars,
                body=None if body is None else bind(chunk_csv, layout=body.layout, fmt=out_format),
                prepare=prepare) as run:
            for chunk in run(units):
                out.write(chunk.payload)
                out.flush()
                os.fsync(out.fileno())
                if body is not None:
                    body.append(chunk.body)
                summary.rows += chunk.rows
                summary.errors += chunk.errors
                summary.out_of_tenant += chunk.out_of_tenant
                if bar is not None:
                    bar.update(chunk.rows)
        if body is not None:
            body.commit(out_path)
        else:
            summary.errors = finalize(partial, out_path, out_format, out_names, spec)
    finally:
        if bar is not None:
            bar.close()
        if body is not None:
            body.close()
    summary.rows += done
    partial.unlink(missing_ok=True)
    sidecar.unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - started
    summary.output = str(out_path)
    return summary


def refuse_overwriting_input(in_path: Path, out_path: Path) -> None:
    same = out_path.resolve() == in_path.resolve()
    if not same and out_path.exists() and in_path.exists():
        same = os.path.samefile(in_path, out_path)
    if same:
        raise DataError(f"{out_path}: --out is the input file; choose another output path (the input is unchanged)")


def count_hint(in_path: Path) -> int | None:
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


def progress_bar(progress: bool | None, initial: int, total=None):
    """Rows done of the total, rate and ETA (tqdm), on a terminal unless told otherwise; ``total``: a
    number, or a function giving it (only called when the bar is shown)."""
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(initial=initial, total=total() if callable(total) else total, unit=" rows", file=sys.stderr,
                dynamic_ncols=True)
