"""Input files cut into partitions that workers read on their own: byte ranges of CSV, Parquet row groups.

A CSV partition must start on a real record boundary: a quoted field may hold line breaks, so the
file is scanned once, in order, with the same CSV grammar that parses it (Python's ``csv`` module),
and a partition is cut every ``rows`` records. The scan also numbers the records, so each partition
knows the 0-based row of its first record — the numbers the local reader gives (blank lines are not
rows). A record with the wrong number of fields becomes an error row in its place; a quote that is
never closed stops the scan with an error naming the row, instead of silently swallowing the rest of
the file.

Parquet partitions are row groups (a row group larger than ``rows`` is read in slices). Other formats
(XLSX, JSONL) are read by the client with :func:`pipeline.io.read_chunks` and shipped as data.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd

from pipeline.errors import DataError
from pipeline.io import ERROR, ROW, detect_encoding, read_chunks, table_format
from pipeline.table_formats import arrow_frame
from pipeline.table_rows import frame

csv.field_size_limit(1 << 30)


@dataclass(frozen=True)
class Partition:
    """One unit of work and of resuming: rows ``first_row … first_row + rows - 1`` of the input."""

    index: int
    first_row: int
    rows: int
    kind: str  # "csv" (byte range), "parquet" (row group slice) or "data" (rows shipped in ``data``)
    start: int = 0  # csv: byte offset; parquet: row group
    stop: int = 0  # csv: byte offset (exclusive); parquet: offset of the slice inside the row group
    data: pd.DataFrame | None = None

    def describe(self) -> dict:
        return {"index": self.index, "first_row": self.first_row, "rows": self.rows, "kind": self.kind,
                "start": self.start, "stop": self.stop}


@dataclass(frozen=True)
class Source:
    """What a worker needs to read partitions of one file: path, format, CSV dialect and header."""

    path: str
    format: str
    encoding: str = "utf-8"
    delimiter: str = ","
    header: tuple[str, ...] = ()


def plan(path: str | Path, rows: int, chunk_size: int = 5000) -> tuple[Source, list[Partition]]:
    """The input's partitions of about ``rows`` rows each, in input order."""
    path = Path(path)
    fmt = table_format(path)
    if fmt == "csv":
        return _plan_csv(path, rows)
    if fmt == "parquet":
        return _plan_parquet(path, rows)
    return Source(str(path), "data"), _plan_data(path, rows, chunk_size)


def read_partition(source: Source, part: Partition) -> pd.DataFrame:
    """The partition's rows as :func:`pipeline.io.read_chunks` would yield them (``_row`` numbered)."""
    if part.kind == "data":
        return part.data
    if part.kind == "parquet":
        import pyarrow.parquet as pq

        table = pq.ParquetFile(source.path).read_row_group(part.start).slice(part.stop, part.rows)
        return arrow_frame(table, part.first_row)
    with open(source.path, "rb") as fh:
        fh.seek(part.start)
        raw = fh.read(part.stop - part.start)
    text = raw.decode("utf-8" if source.encoding == "utf-8-sig" else source.encoding)
    records = []
    width = len(source.header)
    for values in csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter):
        if not values:
            continue  # a blank line is not a row (as in the local reader)
        if len(values) == width:
            records.append({**dict(zip(source.header, values)), ERROR: ""})
        else:  # the row keeps its place; its neighbours are untouched
            records.append({**dict.fromkeys(source.header, ""),
                            ERROR: f"malformed CSV record: {len(values)} fields, the header has {width}"})
    df = frame(pd.DataFrame.from_records(records, columns=[*source.header, ERROR]), part.first_row)
    if len(df) != part.rows:
        raise DataError(f"{source.path}: changed since the job was planned (partition {part.index} has "
                        f"{len(df)} rows, expected {part.rows}); start the job again")
    return df


# ------------------------------------------------------------------ CSV

def _delimiter(path: Path, encoding: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "\t" if suffix == ".tsv" else ","
    with open(path, encoding=encoding, newline="") as fh:
        sample = fh.read(1 << 16)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


class _CountingLines:
    """Lines of a binary file, decoded, counting the bytes handed out (so record ends are byte offsets)."""

    def __init__(self, fh, encoding: str):
        self.fh, self.encoding, self.offset, self.lines = fh, encoding, 0, 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.fh:
            self.offset += len(raw)
            self.lines += 1
            yield raw.decode(self.encoding)


def _plan_csv(path: Path, rows: int) -> tuple[Source, list[Partition]]:
    encoding = detect_encoding(path)
    delimiter = _delimiter(path, encoding)
    decoding = "utf-8" if encoding == "utf-8-sig" else encoding
    parts: list[Partition] = []
    with open(path, "rb") as fh:
        lines = _CountingLines(fh, decoding)
        reader = csv.reader(iter(lines), delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path}: file has no header row")
        header = [h.lstrip("\ufeff").strip() for h in header]
        start = record_start = last_start = lines.offset
        first = count = total = 0
        for values in reader:
            if values:
                last_start = record_start
                total += 1
                count += 1
                if count >= rows:
                    parts.append(Partition(len(parts), first, count, "csv", start, lines.offset))
                    start, first, count = lines.offset, total, 0
            record_start = lines.offset
        if count:
            parts.append(Partition(len(parts), first, count, "csv", start, lines.offset))
        end = lines.offset
    if not parts:
        raise DataError(f"{path}: file has a header but no data rows")
    _check_closed(path, decoding, delimiter, last_start, end, total)
    return Source(str(path), "csv", encoding, delimiter, tuple(header)), parts


def _check_closed(path: Path, decoding: str, delimiter: str, start: int, stop: int, row: int) -> None:
    """A quote opened and never closed makes the rest of the file one record: refuse, naming the row."""
    with open(path, "rb") as fh:
        fh.seek(start)
        text = fh.read(stop - start).decode(decoding)
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise DataError(f"{path}: row {row}: a quoted field is never closed (a '\"' is missing), so every "
                            "line after it would become part of this row; fix the quote and run again") from None


# ------------------------------------------------------------------ Parquet and other formats

def _plan_parquet(path: Path, rows: int) -> tuple[Source, list[Partition]]:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from None
    parts: list[Partition] = []
    first = 0
    for group in range(meta.num_row_groups):
        n = meta.row_group(group).num_rows
        for offset in range(0, n, rows):
            size = min(rows, n - offset)
            parts.append(Partition(len(parts), first, size, "parquet", group, offset))
            first += size
    if not parts:
        raise DataError(f"{path}: file has a header but no data rows")
    return Source(str(path), "parquet"), parts


def _plan_data(path: Path, rows: int, chunk_size: int) -> list[Partition]:
    """Formats that cannot be cut by offset are read here, in chunks, and shipped as partitions."""
    parts: list[Partition] = []
    for chunk in read_chunks(path, chunk_size=rows):
        first = int(chunk[ROW].iloc[0])
        parts.append(Partition(len(parts), first, len(chunk), "data", data=chunk.reset_index(drop=True)))
    return parts
