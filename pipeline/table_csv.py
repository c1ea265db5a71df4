"""CSV records read in two steps: a scan that cuts the file into slices of whole records, and the parse of
one slice into its rows.

The scan runs in the process that reads the file and does only what must be done in file order: the
csv grammar finds where each record ends (a quoted field may hold line breaks) and rows are counted.
The parse — fields into rows, each row's problem, the row number the user sees, the DataFrame — runs
where the slice is triaged: in a batch worker process (``--workers``), so the reading parent ships
lines instead of pickled frames and stays free to feed the workers, or in the reader itself. A slice
begins on a record boundary, where the csv grammar holds no state, and carries the counters of the
file before it, so its rows are exactly those the parse of the whole file gives.

CSV is parsed record by record with an explicit field count: a row with more or fewer fields than
the header (an unquoted separator in a text, a broken quote) becomes an error row in its place;
no row can shift the columns of another.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator, NamedTuple

import pandas as pd

from pipeline.errors import DataError
from pipeline.table_rows import ERROR, frame

FIELD_SIZE_LIMIT = 1 << 28
SEPARATORS = (",", ";", "\t", "|")
_SHOWN = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}


class CsvSlice(NamedTuple):
    """Whole records of a CSV file and the counters of the file before them."""

    lines: list[str]  # the file lines of the records, line breaks included
    start: int  # 0-based data row of the slice's first row
    excel_row: int  # the row number (as Excel shows it) of the record before the slice
    line_num: int  # file lines before the slice
    names: list[str]  # the header's column names
    sep: str
    rows: int  # rows in the slice (records that are not blank lines)


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


def _is_blank(fields: list[str], width: int) -> bool:
    """A blank line is not a row (nor is a line of white space in a file of several columns)."""
    return not fields or (len(fields) == 1 and not fields[0].strip() and width > 1)


def csv_slices(path: Path, encoding: str, chunk_size: int, sep: str) -> Iterator[CsvSlice]:
    """The file's records after the header, ``chunk_size`` rows a slice, in file order."""
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    with open(path, encoding=encoding, newline="") as fh:
        lines: list[str] = []
        reader = csv.reader(_tapped(fh, lines), delimiter=sep, strict=False)
        try:
            header = next(reader, None)
            while header is not None and not any(f.strip() for f in header):
                header = next(reader, None)  # leading blank lines
            if header is None:
                raise DataError(f"{path}: file has no header row")
            names = _header_names(header)
            width, excel_row = len(names), reader.line_num
            start = rows = 0
            begin_row, begin_line = excel_row, reader.line_num
            del lines[:]
            for fields in reader:
                excel_row += 1
                if _is_blank(fields, width):
                    continue
                rows += 1
                if rows >= chunk_size:
                    yield CsvSlice(lines.copy(), start, begin_row, begin_line, names, sep, rows)
                    del lines[:]
                    start, rows = start + rows, 0
                    begin_row, begin_line = excel_row, reader.line_num
            if rows:
                yield CsvSlice(lines.copy(), start, begin_row, begin_line, names, sep, rows)
        except csv.Error as exc:
            raise DataError(f"{path}: malformed CSV near line {reader.line_num}: {exc}") from None


def _tapped(fh, lines: list[str]):
    """The file's lines, each also appended to ``lines`` (the raw text of the records being read)."""
    keep = lines.append
    for line in fh:
        keep(line)
        yield line


def slice_frame(part: CsvSlice) -> pd.DataFrame:
    """The slice's rows: string cells, ``_row``, ``_line`` (Excel's row number) and ``_error`` where a record
    cannot be trusted (its cells are then empty)."""
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    lines: list[str] = []
    reader = csv.reader(_tapped(part.lines, lines), delimiter=part.sep, strict=False)
    width, excel_row, sep, before = len(part.names), part.excel_row, part.sep, part.line_num
    rows: list[list[str]] = []
    numbers: list[int] = []
    errors: list[str] = []
    for fields in reader:
        excel_row += 1
        if _is_blank(fields, width):
            del lines[:]
            continue
        if len(lines) == 1 and len(fields) == width:  # the common record: one line, every field
            problem = ""
        else:
            problem = _record_problem(fields, width, sep, lines, before + reader.line_num)
        del lines[:]
        rows.append([""] * width if problem else fields)
        errors.append(problem)
        numbers.append(excel_row)
    df = frame(pd.DataFrame(rows, columns=part.names, dtype=object), part.start, numbers)
    if any(errors):
        df[ERROR] = errors
    return df


def _record_problem(fields: list[str], width: int, sep: str, raw: list[str], last_line: int) -> str:
    """Why a record cannot be trusted ("" when fine): wrong field count, or an unclosed quote.

    A record spanning several file lines whose quotes do not pair up swallowed the lines after an
    opening quote; its field count may even look right, so the parity is checked explicitly.
    """
    first_line = last_line - len(raw) + 1
    unclosed = len(raw) > 1 and sum(line.count('"') for line in raw) % 2 == 1
    if len(fields) == width and not unclosed:
        return ""
    msg = f"{len(fields)} fields where the header has {width}"
    if len(fields) > width:
        msg += f" (an unquoted {_SHOWN.get(sep, repr(sep))} inside a cell? put the cell in double quotes)"
    if unclosed:
        msg = f"a quote '\"' is not closed; it joins file lines {first_line}–{last_line} into one row"
    return msg
