"""Reading complaint tables: CSV/TSV, XLSX, JSONL and Parquet, chosen by extension.

Readers stream in chunks of string-typed rows (XLSX and Parquet in :mod:`pipeline.table_formats`), so a
backlog of millions of rows never has to fit in memory. Every row keeps its 0-based position among the data rows (``_row``, for resuming and
default ids) and the row number a user sees (``_line``: the row as Excel numbers it for CSV and XLSX,
header = 1; the line for JSONL), which every error message names.

CSV is parsed record by record with an explicit field count: a row with more or fewer fields than
the header (an unquoted separator in a text, a broken quote) becomes an error row in its place;
no row can shift the columns of another. Writing is :mod:`pipeline.writers`; mapping the user's columns
onto the pipeline's names is :mod:`pipeline.columns`.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
from pathlib import Path
from typing import Iterator

import pandas as pd

from pipeline.errors import DataError
from pipeline import table_formats
from pipeline.table_rows import ERROR, INTERNAL, LINE, ROW, TYPES, WARNING, cell, frame, non_text  # noqa: F401 (re-exported)

log = logging.getLogger(__name__)

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl",
           ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
FALLBACK_ENCODINGS = ("cp1252", "latin-1")
SEPARATORS = (",", ";", "\t", "|")


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


def read_table(path: str | Path, sep: str | None = None) -> pd.DataFrame:
    chunks = list(read_chunks(path, sep=sep))
    return pd.concat(chunks, ignore_index=True)


def columns_of(path: str | Path, sep: str | None = None) -> list[str]:
    """Column names, read cheaply (header only where the format allows)."""
    for chunk in read_chunks(path, chunk_size=1, sep=sep):
        return [c for c in chunk.columns if c not in INTERNAL]
    return []


def sniff_separator(path: Path, encoding: str) -> str:
    """The separator that splits the header row into the most fields (``;`` from Indonesian Excel,
    ``,``, tab, ``|``); ties go to the extension's default (tab for .tsv, else comma)."""
    with open(path, encoding=encoding, newline="") as fh:
        header = fh.readline(1 << 20)
    default = "\t" if path.suffix.lower() == ".tsv" else ","
    best, best_n = default, 1
    for cand in (default, *[c for c in SEPARATORS if c != default]):
        n = len(next(csv.reader([header], delimiter=cand), []))
        if n > best_n:
            best, best_n = cand, n
    return best


def _header_names(fields: list[str]) -> list[str]:
    names, seen = [], {}
    for i, raw in enumerate(fields):
        name = raw.strip() or f"column_{i + 1}"
        if name in seen:  # duplicate names would silently merge two columns
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


class _LineTap:
    """Iterates the file's lines for ``csv.reader`` and keeps the raw lines of the current record."""

    def __init__(self, fh):
        self._fh = fh
        self.lines: list[str] = []

    def __iter__(self):
        for line in self._fh:
            self.lines.append(line)
            yield line

    def take(self) -> list[str]:
        lines, self.lines = self.lines, []
        return lines


def _csv_chunks(path: Path, chunk_size: int, sep: str | None = None):
    encoding = detect_encoding(path)
    sep = sep or sniff_separator(path, encoding)
    csv.field_size_limit(1 << 28)
    with open(path, encoding=encoding, newline="") as fh:
        tap = _LineTap(fh)
        reader = csv.reader(tap, delimiter=sep, strict=False)
        try:
            header = next(reader, None)
            while header is not None and not any(f.strip() for f in header):
                header = next(reader, None)  # leading blank lines
            if header is None:
                raise DataError(f"{path}: file has no header row")
            tap.take()
            names = _header_names(header)
            width, excel_row = len(names), reader.line_num
            rows: list[list[str]] = []
            lines: list[int] = []
            errors: list[str] = []
            start = 0
            for fields in reader:
                excel_row += 1
                raw = tap.take()
                if not fields or (len(fields) == 1 and not fields[0].strip() and width > 1):
                    continue  # a blank line is not a row
                problem = _record_problem(fields, width, sep, raw, reader.line_num)
                rows.append([""] * width if problem else fields)
                errors.append(problem)
                lines.append(excel_row)
                if len(rows) >= chunk_size:
                    yield _csv_frame(rows, names, errors, start, lines)
                    start += len(rows)
                    rows, errors, lines = [], [], []
            if rows:
                yield _csv_frame(rows, names, errors, start, lines)
        except csv.Error as exc:
            raise DataError(f"{path}: malformed CSV near line {reader.line_num}: {exc}") from None


def _record_problem(fields: list[str], width: int, sep: str, raw: list[str], last_line: int) -> str:
    """Why a record cannot be trusted ("" when fine): wrong field count, or an unclosed quote.

    A record spanning several file lines whose quotes do not pair up swallowed the lines after an
    opening quote; its field count may even look right, so the parity is checked explicitly.
    """
    shown = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(sep, repr(sep))
    first_line = last_line - len(raw) + 1
    unclosed = len(raw) > 1 and sum(line.count('"') for line in raw) % 2 == 1
    if len(fields) == width and not unclosed:
        return ""
    msg = f"{len(fields)} fields where the header has {width}"
    if len(fields) > width:
        msg += f" (an unquoted {shown} inside a cell? put the cell in double quotes)"
    if unclosed:
        msg = f"a quote '\"' is not closed; it joins file lines {first_line}–{last_line} into one row"
    return msg


def _csv_frame(rows: list[list[str]], names: list[str], errors: list[str], start: int,
               lines: list[int]) -> pd.DataFrame:
    df = frame(pd.DataFrame(rows, columns=names, dtype=object), start, lines)
    if any(errors):
        df[ERROR] = errors
    return df


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
