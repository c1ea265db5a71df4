"""A chunk of input rows → its output records, encoded for the partial file (and the CSV body), here or in
forked worker processes.

Everything per row is plain Python lists: a chunk's frame is only cut once, into the rows that can
be processed and given to the process function; the error messages, ids and kept columns are read
out of it once per chunk, not per row.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
from collections import deque
from contextlib import contextmanager
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd

from pipeline.batch.spec import KEPT, OutputSpec, Process, with_kept
from pipeline.columns import InputColumns
from pipeline.gcpause import after_chunk, paused_gc
from pipeline.io import ERROR, LINE, ROW, WARNING, CsvSlice, unit_frame
from pipeline.settings import MAX_TEXT_CHARS

log = logging.getLogger(__name__)

Body = Callable[[list[dict]], bytes]  # a chunk's records → its CSV rows (pipeline.batch.output.chunk_csv)
Unit = pd.DataFrame | CsvSlice  # a chunk as the reader gives it (pipeline.io.read_units)
Prepare = Callable[[Unit], pd.DataFrame]  # … → the chunk the process function reads (prepared_chunk)


class Encoded(NamedTuple):
    """A finished chunk: partial-file JSON lines, CSV rows (``b""`` without a CSV body), counts."""

    payload: bytes
    body: bytes
    rows: int
    errors: int
    out_of_tenant: int


def prepared_chunk(unit: Unit, columns: InputColumns, keep: list[str], skip_rows: int = 0) -> pd.DataFrame:
    """A unit of the reader as the rows to process: parsed (a CSV slice), renamed to the pipeline's columns,
    with the kept input columns beside them — done where the chunk is processed (a worker, with ``--workers``)."""
    raw = unit_frame(unit, skip_rows)
    return with_kept(columns.standardise(raw), raw, keep)


def row_errors(chunk: pd.DataFrame, text_col: str, max_chars: int = MAX_TEXT_CHARS) -> list[str]:
    """Per-row error message ("" when fine), naming the row as the user sees it (Excel's number).

    Texts longer than ``max_chars`` (``LAPOR_MAX_TEXT_CHARS``; by default the API's limit) are errors,
    not truncated: the row stays in place and says why it was not processed.
    """
    limit = max_chars
    lines = chunk[LINE].tolist() if LINE in chunk.columns else (chunk[ROW] + 2).tolist()
    messages = []
    for line, text, err in zip(lines, chunk["text"].tolist(), chunk[ERROR].tolist()):
        if err:
            messages.append(f"row {line}: {err}")
        elif not isinstance(text, str) or not text.strip():
            messages.append(f"row {line}: column '{text_col}' is empty")
        elif len(text) > limit:
            messages.append(f"row {line}: column '{text_col}' has {len(text):,} characters; the limit is "
                            f"{limit:,} (LAPOR_MAX_TEXT_CHARS)")
        else:
            messages.append("")
    return messages


def validate_rows(chunk: pd.DataFrame, text_col: str, max_chars: int = MAX_TEXT_CHARS) -> pd.Series:
    """:func:`row_errors` as a Series on the chunk's index."""
    return pd.Series(row_errors(chunk, text_col, max_chars), index=chunk.index)


def process_chunk(chunk: pd.DataFrame, text_col: str, process: Process, spec: OutputSpec,
                  max_chars: int = MAX_TEXT_CHARS) -> list[dict]:
    """One output record per row of ``chunk``, in order; a row that fails gets ``error`` set, in its place."""
    errors = row_errors(chunk, text_col, max_chars)
    rows = chunk[ROW].tolist()
    ids = [i if i else str(r + 1) for i, r in zip(chunk["id"].tolist(), rows)]
    lines = chunk[LINE].tolist() if LINE in chunk.columns else [r + 2 for r in rows]
    good = [pos for pos, e in enumerate(errors) if not e]
    results: dict[int, dict] = {}
    if good:
        ok = chunk[np.asarray([not e for e in errors], dtype=bool)]
        try:
            for pos, res in zip(good, process(ok)):
                results[rows[pos]] = res
        except Exception:  # isolate the row(s) at fault; the others still get results
            log.exception("chunk failed; retrying its rows one by one")
            for i, pos in enumerate(good):
                try:
                    results[rows[pos]] = process(ok.iloc[i : i + 1])[0]
                except Exception as exc:
                    errors[pos] = f"row {lines[pos]}: cannot process: {exc}"
    kept = {c: chunk[c].tolist() for c in chunk.columns if isinstance(c, str) and c.startswith(KEPT)}
    warnings = chunk[WARNING].tolist() if WARNING in chunk.columns and "warning" in spec.columns else None
    empty = spec.empty_row()
    out = []
    for pos, (row, rid) in enumerate(zip(rows, ids)):
        record = {"id": rid}
        for key, values in kept.items():
            record[key] = values[pos]
        if errors[pos]:
            record.update(empty)
            record["error"] = errors[pos]
        else:
            record.update(results[row])
            record["error"] = ""
            if warnings is not None and warnings[pos]:
                record["warning"] = f"row {lines[pos]}: {warnings[pos]}"
        out.append(record)
    return out


_JSON_LINE = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(r, ensure_ascii=False) does, built once


def encode(records: list[dict], body: Body | None) -> Encoded:
    """A chunk's records as partial-file JSON lines (and CSV rows), with its counts."""
    payload = ("\n".join(map(_JSON_LINE, records)) + "\n").encode("utf-8") if records else b""
    return Encoded(payload, body(records) if body is not None else b"", len(records),
                   sum(1 for r in records if r["error"]), sum(1 for r in records if r.get("out_of_tenant")))


_WORKER_JOB: tuple | None = None  # (text_col, process, spec, max_chars, body, prepare), inherited by forked workers


def _chunk(unit, text_col: str, process: Process, spec: OutputSpec, max_chars: int, body: Body | None,
           prepare: Prepare | None) -> Encoded:
    chunk = unit if prepare is None else prepare(unit)
    encoded = encode(process_chunk(chunk, text_col, process, spec, max_chars), body)
    after_chunk()
    return encoded


def _worker_chunk(unit) -> Encoded:
    return _chunk(unit, *_WORKER_JOB)


@contextmanager
def chunk_runner(workers: int, process: Process, text_col: str, spec: OutputSpec, max_chars: int = MAX_TEXT_CHARS,
                 body: Body | None = None, prepare: Prepare | None = None):
    """Map chunks to :class:`Encoded` chunks, in order; with ``workers > 1`` in forked processes.

    The model is warmed first (``process.warm``: caches, matchers), then frozen out of the garbage
    collector's scans, which are paused while chunks run and done once per chunk instead
    (:mod:`pipeline.gcpause`). Forked workers inherit the already-loaded, warmed model, so no worker
    builds it again; at most two chunks per worker are in flight, so memory stays bounded however
    large the input. Workers also make their chunks' rows (``prepare``: a CSV slice's lines parsed
    and renamed, :func:`prepared_chunk`) and encode them (JSON lines and CSV text): the parent only
    cuts the file into slices and appends the results, so it keeps both workers fed.
    """
    warm = getattr(process, "warm", None)
    if warm is not None:
        warm()
    job = (text_col, process, spec, max_chars, body, prepare)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        def run_here(units):
            for unit in units:
                yield _chunk(unit, *job)

        with paused_gc():
            yield run_here
        return
    global _WORKER_JOB
    _WORKER_JOB = job
    with paused_gc():  # frozen objects inherited from the parent also stay shared pages in the workers
        pool = multiprocessing.get_context("fork").Pool(workers)

        def run(units):
            pending: deque = deque()
            for unit in units:
                pending.append(pool.apply_async(_worker_chunk, (unit,)))
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
