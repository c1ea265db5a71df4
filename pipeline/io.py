"""Reading complaint tables: CSV/TSV, XLSX, JSONL and Parquet, chosen by extension.

Readers stream in chunks of string-typed rows (XLSX and Parquet in :mod:`pipeline.table_formats`), so a
backlog of millions of rows never has to fit in memory. Every row keeps its 0-based position among the data rows (``_row``, for resuming and
default ids) and the row number a user sees (``_line``: the row as Excel numbers it for CSV and XLSX,
header = 1; the line for JSONL), which every error message names.

CSV (:mod:`pipeline.table_csv`) is parsed record by record with an explicit field count: a row with more or
fewer fields than the header (an unquoted separator in a text, a broken quote) becomes an error row in its
place; no row can shift the columns of another. A CSV chunk is first a :class:`~pipeline.table_csv.CsvSlice`
(its records' lines, :func:`read_units`), made a frame by :func:`unit_frame` where it is processed (a batch
worker). Writing is :mod:`pipeline.writers`; mapping the user's columns onto the pipeline's names is
:mod:`pipeline.columns`.
"""

from __future__ import annotations

import codecs
import json
import logging
from pathlib import Path
from typing import Iterator

import pandas as pd

from pipeline.errors import DataError
from pipeline import table_formats
from pipeline.table_csv import SEPARATORS, CsvSlice, csv_slices, slice_frame, sniff_separator  # noqa: F401
from pipeline.table_rows import ERROR, INTERNAL, LINE, ROW, TYPES, WARNING, cell, frame, non_text  # noqa: F401 (re-exported)

log = logging.getLogger(__name__)

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl",
           ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
FALLBACK_ENCODINGS = ("cp1252", "latin-1")


def table_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise DataError(f"{path}: unsupported file type '{suffix or '(none)'}'; use .csv, .tsv, .xlsx, .jsonl or .parquet")
    return FORMATS[suffix]


def detect_encoding(path: str | Path) -> str:
    """UTF-8 when the whole file decodes as UTF-8, else cp1252 (then latin-1), with a warning."""
    for encoding in ("utf-8", *FALLBACK_ENCODINGS):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as fh:
                while block := fh.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8":
                first_bad = exc.start
            continue
        if encoding != "utf-8":
            log.warning("%s is not valid UTF-8 (first bad byte near offset %d); reading it as %s",
                        path, first_bad, encoding)
        return "utf-8-sig" if encoding == "utf-8" else encoding
    raise DataError(f"{path}: cannot decode the file as UTF-8, cp1252 or latin-1")


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if not path.is_file():
        raise DataError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: file is empty")


def read_chunks(path: str | Path, chunk_size: int = 5000, skip_rows: int = 0,
                sep: str | None = None) -> Iterator[pd.DataFrame]:
    """Yield DataFrames of string cells (missing → ""), with ``_row``, ``_line`` and possibly ``_error``.

    ``sep`` is the CSV field separator; by default it is sniffed from the header row.
    """
    for unit in read_units(path, chunk_size, skip_rows, sep):
        yield unit_frame(unit, skip_rows)


def read_units(path: str | Path, chunk_size: int = 5000, skip_rows: int = 0,
               sep: str | None = None) -> Iterator[pd.DataFrame | CsvSlice]:
    """:func:`read_chunks`' chunks, a CSV chunk still as its records' lines (:class:`CsvSlice`): the reader
    does only the file-order work, :func:`unit_frame` (in a batch worker) the rest. No unit is empty."""
    path = Path(path)
    fmt = table_format(path)
    _check_readable(path)
    if fmt == "csv":
        chunks = _csv_chunks(path, chunk_size, sep)
    elif fmt == "jsonl":
        chunks = _jsonl_chunks(path, chunk_size)
    else:  # binary formats, read through their libraries (imported only when such a file is read)
        chunks = {"xlsx": table_formats.xlsx_chunks, "parquet": table_formats.parquet_chunks}[fmt](path, chunk_size)
    yielded = False
    for chunk in chunks:
        if isinstance(chunk, CsvSlice):  # never empty; resuming: rows are counted, not lines
            yielded = True
            if chunk.start + chunk.rows > skip_rows:
                yield chunk
            continue
        if chunk.empty:
            continue
        yielded = True
        if skip_rows:  # resuming: rows are counted, not lines, so quoted line breaks are safe
            chunk = chunk[chunk[ROW] >= skip_rows]
            if chunk.empty:
                continue
        yield chunk
    if not yielded:
        raise DataError(f"{path}: file has a header but no data rows")


def unit_frame(unit: pd.DataFrame | CsvSlice, skip_rows: int = 0) -> pd.DataFrame:
    """A unit of :func:`read_units` as the chunk :func:`read_chunks` yields (rows before ``skip_rows`` left out)."""
    if not isinstance(unit, CsvSlice):
        return unit
    chunk = slice_frame(unit)
    return chunk[chunk[ROW] >= skip_rows] if skip_rows > unit.start else chunk


def read_table(path: str | Path, sep: str | None = None) -> pd.DataFrame:
    chunks = list(read_chunks(path, sep=sep))
    return pd.concat(chunks, ignore_index=True)


def columns_of(path: str | Path, sep: str | None = None) -> list[str]:
    """Column names, read cheaply (header only where the format allows)."""
    for chunk in read_chunks(path, chunk_size=1, sep=sep):
        return [c for c in chunk.columns if c not in INTERNAL]
    return []


def _csv_chunks(path: Path, chunk_size: int, sep: str | None = None) -> Iterator[CsvSlice]:
    encoding = detect_encoding(path)
    return csv_slices(path, encoding, chunk_size, sep or sniff_separator(path, encoding))


def _jsonl_chunks(path: Path, chunk_size: int):
    encoding = detect_encoding(path)
    records: list[dict] = []
    lines: list[int] = []
    start = 0
    with open(path, encoding=encoding) as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
                record = {str(k): cell(v) for k, v in obj.items()}
                record[TYPES] = non_text(obj)
            except ValueError as exc:
                record = {ERROR: f"invalid JSON: {str(exc).splitlines()[0]}"}
            records.append(record)
            lines.append(lineno)
            if len(records) >= chunk_size:
                yield _jsonl_frame(records, start, lines)
                start += len(records)
                records, lines = [], []
    if records:
        yield _jsonl_frame(records, start, lines)


def _jsonl_frame(records: list[dict], start: int, lines: list[int]) -> pd.DataFrame:
    df = frame(records, start, lines)
    for col in df.columns:
        if col not in (ROW, LINE, TYPES):
            df[col] = df[col].fillna("")
    if TYPES in df.columns:
        df[TYPES] = [t if isinstance(t, dict) else {} for t in df[TYPES]]
    return df
