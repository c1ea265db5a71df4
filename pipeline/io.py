"""Reading and writing complaint tables: CSV/TSV, XLSX, JSONL and Parquet, chosen by extension.

Readers stream in chunks of string-typed rows, so a backlog of millions of rows never has to fit
in memory, and every row keeps its 0-based position (``_row``) for error messages and resuming.
"""

from __future__ import annotations

import codecs
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd

from pipeline.errors import DataError

log = logging.getLogger(__name__)

ROW = "_row"
ERROR = "_error"  # set by a reader when a row cannot even be parsed (e.g. invalid JSON line)
TYPES = "_types"  # JSON/Parquet only: {field: type name} of cells that were not text
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


def read_chunks(path: str | Path, chunk_size: int = 5000, skip_rows: int = 0) -> Iterator[pd.DataFrame]:
    """Yield DataFrames of string cells (missing → ""), with ``_row`` and possibly ``_error``."""
    path = Path(path)
    fmt = table_format(path)
    _check_readable(path)
    reader = {"csv": _csv_chunks, "xlsx": _xlsx_chunks, "jsonl": _jsonl_chunks, "parquet": _parquet_chunks}[fmt]
    yielded = False
    for chunk in reader(path, chunk_size):
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


def read_table(path: str | Path) -> pd.DataFrame:
    chunks = list(read_chunks(path))
    return pd.concat(chunks, ignore_index=True)


def columns_of(path: str | Path) -> list[str]:
    """Column names, read cheaply (header only where the format allows)."""
    for chunk in read_chunks(path, chunk_size=1):
        return [c for c in chunk.columns if c not in (ROW, ERROR, TYPES)]
    return []


def _frame(records: list[dict] | pd.DataFrame, start: int) -> pd.DataFrame:
    df = records if isinstance(records, pd.DataFrame) else pd.DataFrame.from_records(records)
    df = df.reset_index(drop=True)
    df.insert(0, ROW, range(start, start + len(df)))
    return df


def _csv_chunks(path: Path, chunk_size: int):
    encoding = detect_encoding(path)
    suffix = path.suffix.lower()
    sep = {".tsv": "\t", ".csv": ","}.get(suffix)  # .txt: let pandas sniff the delimiter
    try:
        reader = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding=encoding, chunksize=chunk_size,
            sep=sep, engine="python" if sep is None else "c",
        )
        start = 0
        for chunk in reader:
            chunk.columns = [str(c).strip() for c in chunk.columns]
            yield _frame(chunk, start)
            start += len(chunk)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: file has no header row") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}: malformed CSV: {str(exc).splitlines()[0]}") from None


def _jsonl_chunks(path: Path, chunk_size: int):
    encoding = detect_encoding(path)
    records: list[dict] = []
    start = 0
    with open(path, encoding=encoding) as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
                record = {str(k): _cell(v) for k, v in obj.items()}
                record[TYPES] = _non_text(obj)
            except ValueError as exc:
                record = {ERROR: f"invalid JSON: {str(exc).splitlines()[0]}"}
            records.append(record)
            if len(records) >= chunk_size:
                yield _jsonl_frame(records, start)
                start += len(records)
                records = []
    if records:
        yield _jsonl_frame(records, start)


def _jsonl_frame(records: list[dict], start: int) -> pd.DataFrame:
    df = _frame(records, start)
    for col in df.columns:
        if col not in (ROW, TYPES):
            df[col] = df[col].fillna("")
    if TYPES in df.columns:
        df[TYPES] = [t if isinstance(t, dict) else {} for t in df[TYPES]]
    return df


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _non_text(obj: dict) -> dict:
    """JSON/Parquet cells may be numbers, lists or objects; remember which were not text."""
    names = {bool: "boolean", int: "number", float: "number", list: "list", dict: "object"}
    return {str(k): names.get(type(v), type(v).__name__) for k, v in obj.items()
            if v is not None and not isinstance(v, str)}


def _parquet_chunks(path: Path, chunk_size: int):
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from None
    seen = 0
    for batch in pf.iter_batches(batch_size=chunk_size):
        yield arrow_frame(batch, seen)
        seen += batch.num_rows


def arrow_frame(batch, start: int) -> pd.DataFrame:
    """A pyarrow table or record batch as reader rows (text cells, ``_types``), numbered from ``start``."""
    df = batch.to_pandas()
    records = df.to_dict("records")
    for r in records:
        plain = {k: _plain(v) for k, v in r.items()}
        r.clear()
        r.update({k: _cell(v) for k, v in plain.items()})
        r[TYPES] = _non_text(plain)
    return _frame(pd.DataFrame.from_records(records, columns=[*df.columns, TYPES]), start)


def _plain(value):
    """Parquet cells arrive as numpy/pandas scalars; NaN/NaT mean missing."""
    if value is None:
        return None
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat(sep=" ")
    return value


def _xlsx_chunks(path: Path, chunk_size: int):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise DataError(f"{path}: not a readable XLSX workbook ({exc})") from None
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise DataError(f"{path}: the first sheet is empty")
        names = [str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
        records: list[dict] = []
        start = 0
        for values in rows:
            if values is None or all(v is None for v in values):
                continue
            records.append({n: _cell(_xlsx_value(v)) for n, v in zip(names, values)})
            if len(records) >= chunk_size:
                yield _frame(records, start)
                start += len(records)
                records = []
        if records:
            yield _frame(records, start)
    finally:
        wb.close()


def _xlsx_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class InputColumns:
    """Where each field lives in the user's file (CLI ``--text-col`` etc.)."""

    text: str = "text"
    id: str | None = "id"
    label: str | None = None
    kelurahan: str | None = "kelurahan"
    kecamatan: str | None = "kecamatan"
    time: str | None = "created_at"
    address: str | None = "address"

    def require(self, available: list[str], path: str | Path, need_label: bool = False) -> None:
        missing = [c for c in [self.text] + ([self.label] if need_label and self.label else []) if c not in available]
        if missing:
            shown = ", ".join(repr(c) for c in available) or "(none)"
            raise DataError(f"{path}: missing column {', '.join(repr(m) for m in missing)}; columns in file: {shown}")

    def standardise(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """Rename the user's columns to the pipeline's names; absent optional columns become ""."""
        out = pd.DataFrame({ROW: chunk[ROW].to_numpy()})
        mapping = {"text": self.text, "id": self.id, "opd": self.label, "kelurahan": self.kelurahan,
                   "kecamatan": self.kecamatan, "created_at": self.time, "address": self.address}
        for std, col in mapping.items():
            out[std] = chunk[col].to_numpy() if col and col in chunk.columns else ""
        errors = chunk[ERROR].fillna("").to_numpy() if ERROR in chunk.columns else [""] * len(chunk)
        types = chunk[TYPES].to_numpy() if TYPES in chunk.columns else [{}] * len(chunk)
        out[ERROR] = [err or self._type_error(t) for err, t in zip(errors, types)]
        return out

    def _type_error(self, types: dict) -> str:
        """Text fields must hold text; ids and times may be numbers."""
        if not types:
            return ""
        for name in (self.text, self.kelurahan, self.kecamatan, self.address):
            if name and name in types:
                return f"column '{name}' must be text, got {types[name]}"
        for name in (self.id, self.time):
            if name and types.get(name) in ("list", "object"):
                return f"column '{name}' must be text or a number, got {types[name]}"
        return ""
