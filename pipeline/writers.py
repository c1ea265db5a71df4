"""Writing batch results: CSV/TSV (plain or Excel-friendly), JSONL, Parquet and XLSX, by extension.

- The format is resolved (and its library imported) before the first row is processed, so a run
  never fails at the end with "cannot write" after hours of work.
- Spreadsheet-safe: in CSV and XLSX a text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a
  tab/carriage return) is prefixed with ``'``, so a complaint cannot become a formula in Excel.
- ``excel=True`` CSV is what Indonesian-locale Excel opens by double-click: ``;`` separator, ``,``
  decimals, UTF-8 with BOM.
- XLSX is streamed (openpyxl write-only mode: constant memory); past Excel's 1,048,576 rows a
  sheet is continued on the next one (``hasil``, ``hasil_2``, …), each with the header.
"""

from __future__ import annotations

import csv
import io
import json
import os
from itertools import repeat
from operator import itemgetter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from pipeline.errors import DataError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_576  # per sheet, header included
OUTPUT_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                   ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}
SHEET = "hasil"


def spreadsheet_safe(value):
    """A text cell that a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class OutputFormat:
    kind: str  # csv | jsonl | parquet | xlsx
    delimiter: str = ","
    excel: bool = False

    @classmethod
    def for_path(cls, path: str | Path, excel: bool = False) -> "OutputFormat":
        """Resolve the format from the extension; fail now (not after the last row) if it cannot be written."""
        suffix = Path(path).suffix.lower()
        kind = OUTPUT_SUFFIXES.get(suffix)
        if kind is None:
            raise DataError(f"{path}: cannot write '{suffix or '(no extension)'}' output; "
                            "use .csv, .tsv, .xlsx, .jsonl or .parquet")
        if excel and kind != "csv":
            raise DataError(f"{path}: --excel applies to .csv output only (.xlsx is Excel's own format)")
        if kind == "xlsx":
            import openpyxl  # noqa: F401  (checked now, used at the end)
        elif kind == "parquet":
            import pyarrow  # noqa: F401
        delimiter = ";" if excel else ("\t" if suffix == ".tsv" else ",")
        return cls(kind, delimiter, excel)


def write_rows(rows: Iterable[dict], path: Path, fmt: OutputFormat, columns: list[str],
               types: dict[str, type]) -> int:
    """Write ``rows`` (dicts with ``columns``) to ``path``; return how many have an ``error``."""
    writer = {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet, "xlsx": _write_xlsx}[fmt.kind]
    return writer(rows, path, fmt, columns, types)


def _count_errors(rows: Iterable[dict], counter: list[int]):
    for r in rows:
        if r.get("error"):
            counter[0] += 1
        yield r


def _csv_value(v, excel: bool):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, float) and excel:
        return repr(v).replace(".", ",")
    return spreadsheet_safe(v)


_BOOL_TEXT = {True: "true", False: "false"}.__getitem__
_NO_TEXT = {None: ""}.__getitem__


def _formula_safe(v: str) -> str:  # only called for text that starts like a formula
    return "'" + v


def _excel_float(v: float) -> str:
    return repr(v).replace(".", ",")


class CsvCells:
    """The cells of CSV rows, as :func:`_csv_value` says, by a table of exact types: most cells are plain
    text that no spreadsheet would run (written as they are); a bool, ``None``, a number has its one
    conversion; any other type goes through ``prepare`` (e.g. a JSON round trip), then :func:`_csv_value`."""

    def __init__(self, excel: bool, prepare: Callable | None = None):
        self.table = {str: _formula_safe, bool: _BOOL_TEXT, type(None): _NO_TEXT, int: int,
                      float: _excel_float if excel else float}
        self.fallback = (lambda v: _csv_value(v, excel)) if prepare is None else (
            lambda v: _csv_value(prepare(v), excel))

    def rows(self, records: Iterable[dict], keys: list[str]) -> list[list]:
        """One row of cells per record, reading ``keys`` in order (a missing key is an empty cell)."""
        table, fallback, safe = self.table, self.fallback, FORMULA_STARTS
        return [[v if (t := type(v)) is str and not v.startswith(safe) else table.get(t, fallback)(v)
                 for v in map(r.get, keys)] for r in records]

    def text(self, records: list[dict], keys: list[str], delimiter: str) -> str:
        """The CSV text :func:`csv_text` writes for :meth:`rows`, built column by column: the C string
        methods (``in``, ``replace``, ``join``) do the scanning that the csv module does cell by cell, and a
        column with nothing to quote or to make formula-safe (most of them) is joined as it is."""
        if len(keys) < 2 or not records:  # a row of one empty cell is written as "" by the csv module
            return csv_text(self.rows(records, keys), OutputFormat("csv", delimiter))
        get = itemgetter(*keys)
        try:
            rows = list(map(get, records))
        except KeyError:  # a record without some column: an empty cell
            rows = [tuple(map(r.get, keys)) for r in records]
        columns = [self._column(list(col), delimiter) for col in zip(*rows)]
        return "\r\n".join(map(delimiter.join, zip(*columns))) + "\r\n"

    def _column(self, col: list, delimiter: str) -> list[str]:
        """One column's cells as CSV fields (QUOTE_MINIMAL: quoted when holding the delimiter, ``"``, CR, LF)."""
        safe = FORMULA_STARTS
        if set(map(type, col)) == {str}:
            if any(map(str.startswith, col, repeat(safe))):
                col = ["'" + v if v.startswith(safe) else v for v in col]
        else:
            table, fallback = self.table, self.fallback
            col = [v if (t := type(v)) is str and not v.startswith(safe) else table.get(t, fallback)(v) for v in col]
            col = [v if type(v) is str else "" if v is None else str(v) for v in col]
        probe = "\0".join(col)  # NUL is no CSV special
        if delimiter in probe or '"' in probe or "\r" in probe or "\n" in probe:
            col = [f'"{v.replace(chr(34), chr(34) * 2)}"' if delimiter in v or '"' in v or "\n" in v or "\r" in v
                   else v for v in col]
        return col


def csv_text(rows: Iterable[list], fmt: OutputFormat) -> str:
    """Rows of cells (:meth:`CsvCells.rows`) as the text :func:`_write_csv` writes for them."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=fmt.delimiter).writerows(rows)
    return buf.getvalue()


def csv_header(columns: list[str], fmt: OutputFormat) -> bytes:
    """The first bytes of a CSV output file: the byte-order mark (``excel``) and the header row."""
    return ("\ufeff" if fmt.excel else "").encode("utf-8") + csv_text([columns], fmt).encode("utf-8")


def _write_csv(rows, path, fmt, columns, types) -> int:
    errors, excel = 0, fmt.excel
    with open(path, "w", encoding="utf-8-sig" if fmt.excel else "utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=fmt.delimiter)
        writer.writerow(columns)
        cells, batch = CsvCells(excel), []
        for r in rows:
            if r.get("error"):
                errors += 1
            batch.append(r)
            if len(batch) >= 1024:
                writer.writerows(cells.rows(batch, columns))
                batch.clear()
        writer.writerows(cells.rows(batch, columns))
        fh.flush()
        os.fsync(fh.fileno())
    return errors


def _write_jsonl(rows, path, fmt, columns, types) -> int:
    errors = [0]
    with open(path, "w", encoding="utf-8") as fh:
        for r in _count_errors(rows, errors):
            fh.write(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return errors[0]


def _write_parquet(rows, path, fmt, columns, types) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {str: pa.string(), float: pa.float64(), bool: pa.bool_(), int: pa.int64()}
    schema = pa.schema([(c, arrow[types.get(c, str)]) for c in columns])
    errors = [0]
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict] = []
        for r in _count_errors(rows, errors):
            batch.append({c: r.get(c) for c in columns})
            if len(batch) >= 10_000:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return errors[0]


EXCEL_MAX_CELL = 32_767  # characters Excel keeps in one cell


def _xlsx_cell(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XLSX cannot hold
        if len(value) > EXCEL_MAX_CELL:
            value = value[: EXCEL_MAX_CELL - 1] + "…"
    return spreadsheet_safe(value)


def _write_xlsx(rows, path, fmt, columns, types, max_rows: int | None = None) -> int:
    from openpyxl import Workbook

    max_rows = max_rows or EXCEL_MAX_ROWS
    wb = Workbook(write_only=True)
    errors = [0]
    sheet, used = None, max_rows
    for r in _count_errors(rows, errors):
        if used >= max_rows:
            sheet = wb.create_sheet(SHEET if sheet is None else f"{SHEET}_{len(wb.worksheets) + 1}")
            sheet.append(columns)
            used = 1
        sheet.append([_xlsx_cell(r.get(c)) for c in columns])
        used += 1
    if sheet is None:
        wb.create_sheet(SHEET).append(columns)
    wb.save(path)
    return errors[0]
