"""Batch duplicate search: the ``dedup`` command (``predict --history`` uses the same walk, pipeline/engines/dedup.py).

Every row is compared with *earlier* complaints only — the history (a table or a saved index) and
the input rows before it in time. The input is therefore read twice: a first streaming pass
builds each valid row's features, the rows are walked in time order (query, then add), and the
results are kept by row number; :func:`pipeline.batch.run_batch` then writes them in input order
with its usual streaming / resume / atomic-output / error-row rules.
"""

from __future__ import annotations

import logging
import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from pipeline.triage.records import DEDUP_OUTPUT, duplicate_record
from pipeline.dedup.features import ComplaintFeatures, parse_time
from pipeline.dedup.index import DuplicateFinder
from pipeline.errors import DataError
from pipeline.io import ERROR, ROW, columns_of, read_chunks
from pipeline.columns import InputColumns
from pipeline.triage.index import DuplicateIndex

log = logging.getLogger(__name__)

INDEX_SUFFIXES = (".npz",)


@dataclass(frozen=True)
class DedupColumns(InputColumns):
    """Input columns that also reject rows whose submission time is empty or unreadable."""

    def standardise(self, chunk: pd.DataFrame) -> pd.DataFrame:
        out = super().standardise(chunk)
        out[ERROR] = [err or time_error(t, self.time) for err, t in zip(out[ERROR], out["created_at"])]
        return out


def time_error(value, column: str | None) -> str:
    """Operator-facing message for a bad submission time ("" when fine)."""
    if not isinstance(value, str) or not value.strip():
        return f"kolom waktu '{column}' kosong; waktu pengaduan diperlukan untuk mencari duplikat"
    if parse_time(value) is None:
        return f"waktu '{value.strip()[:40]}' di kolom '{column}' tidak dapat dibaca (contoh: 2022-03-01 08:15:00)"
    return ""


def require_time_column(path: str | Path, columns: InputColumns) -> None:
    available = columns_of(path, sep=columns.sep)
    if not columns.time or columns.time not in available:
        shown = ", ".join(repr(c) for c in available) or "(tidak ada)"
        raise DataError(f"{path}: kolom waktu '{columns.time}' tidak ada (pakai --time-col); kolom di file: {shown}")


# ------------------------------------------------------------------ features of a whole file

def _row_records(path: str | Path, columns: InputColumns, chunk_size: int) -> Iterable[tuple]:
    """(row, id, time, text, kelurahan, kecamatan, address) of every usable row."""
    for chunk in read_chunks(path, chunk_size=chunk_size, sep=columns.sep):
        yield from chunk_records(chunk, columns)


def chunk_records(chunk: pd.DataFrame, columns: InputColumns) -> Iterable[tuple]:
    """The usable rows of one chunk as read by :func:`pipeline.io.read_chunks` (see ``_row_records``)."""
    std = InputColumns.standardise(columns, chunk)
    for row, rid, text, t, kel, kec, addr, err in zip(
        std[ROW], std["id"], std["text"], std["created_at"], std["kelurahan"], std["kecamatan"],
        std["address"], std[ERROR],
    ):
        if err or not isinstance(text, str) or not text.strip():
            continue
        seconds = parse_time(t)
        if seconds is None:
            continue
        yield (int(row), rid if rid else str(int(row) + 1), seconds, text, kel, kec, addr)


def featurize_block(block: list[tuple]) -> list[tuple[int, ComplaintFeatures]]:
    return [(r[0], ComplaintFeatures.build(r[1], r[2], r[3], r[4], r[5], r[6])) for r in block]


def featurize_file(path: str | Path, columns: InputColumns, *, chunk_size: int = 5000,
                   jobs: int = 1) -> list[tuple[int, ComplaintFeatures]]:
    """(row number, features) of every usable row, in file order; ``jobs`` > 1 uses worker processes."""
    records = list(_row_records(path, columns, chunk_size))
    return featurize_records(records, jobs=jobs)


def featurize_records(records: list[tuple], jobs: int = 1) -> list[tuple[int, ComplaintFeatures]]:
    if jobs <= 1 or len(records) < 20_000:
        return featurize_block(records)
    size = 5000
    blocks = [records[i : i + size] for i in range(0, len(records), size)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        out: list[tuple[int, ComplaintFeatures]] = []
        for part in pool.imap(featurize_block, blocks):
            out.extend(part)
    return out


def time_ordered(features: list[tuple[int, ComplaintFeatures]]) -> list[tuple[int, ComplaintFeatures]]:
    return sorted(features, key=lambda rf: (rf[1].time, rf[0]))


def load_history(path: str | Path | None, columns: InputColumns, finder: DuplicateFinder | None = None, *,
                 chunk_size: int = 5000, jobs: int = 1) -> DuplicateFinder:
    """An index of the history: a saved index (``.npz``) or a complaint table indexed now."""
    finder = finder if finder is not None else DuplicateFinder()
    if path is None:
        finder._ready()
        return finder
    path = Path(path)
    if path.suffix.lower() in INDEX_SUFFIXES:
        loaded = DuplicateFinder.load(path)
        loaded.set_params(**{k: v for k, v in finder.get_params().items()})
        return loaded
    require_time_column(path, columns)
    feats = featurize_file(path, columns, chunk_size=chunk_size, jobs=jobs)
    log.info("%s: %d complaints indexed as history", path, len(feats))
    return finder.fit(f for _, f in time_ordered(feats))


# ------------------------------------------------------------------ the walk

def walk(finder: DuplicateIndex, features: list[tuple[int, ComplaintFeatures]]) -> dict[int, dict]:
    """Query-then-add every row in time order; results by row number."""
    results: dict[int, dict] = {}
    for row, f in time_ordered(features):
        matches = finder.query(f)
        results[row] = duplicate_record(matches, finder.is_duplicate(matches))
        finder.add(f)
    return results


def run_dedup(in_path, out_path, columns: InputColumns, *, history=None, window_days: float = 60.0,
              chunk_size: int = 2000, jobs: int = 1, save_index: str | Path | None = None,
              finder: DuplicateFinder | None = None, **batch):
    """The ``dedup`` command: one output row per input row (see the module docstring).

    ``batch``: further :func:`pipeline.batch.run_batch` options (``resume``, ``restart``, ``progress``, …).
    """
    from pipeline.batch import run_batch
    from pipeline.writers import OutputFormat

    OutputFormat.for_path(out_path, excel=batch.get("excel", False))  # before the index is built
    require_time_column(in_path, columns)
    finder = finder if finder is not None else DuplicateFinder(window_days=window_days)
    finder = load_history(history, columns, finder, jobs=jobs)
    features = featurize_file(in_path, columns, jobs=jobs)
    results = walk(finder, features)

    def process(chunk: pd.DataFrame) -> list[dict]:
        return [results[int(r)] for r in chunk[ROW]]

    options = {"command": "dedup", "window_days": window_days, "columns": vars(columns),
               "history": _file_identity(history), "params": finder.get_params()}
    summary = run_batch(in_path, out_path, DedupColumns(**vars(columns)), process, DEDUP_OUTPUT,
                        chunk_size=chunk_size, options=options, **batch)
    if save_index:
        finder.save(save_index)
    return summary, finder


def _file_identity(path) -> dict | None:
    if path is None:
        return None
    p = Path(path)
    st = p.stat()
    return {"path": str(p.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
