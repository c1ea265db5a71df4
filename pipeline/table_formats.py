"""Reading the binary table formats, XLSX and Parquet, into the same string-typed reader rows as CSV and
JSONL (:mod:`pipeline.io`: ``_row``, ``_line``, ``_types``); their libraries are imported only when such a
file is read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.errors import DataError
from pipeline.table_rows import TYPES, cell, frame, non_text


def parquet_chunks(path: Path, chunk_size: int):
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
        r.update({k: cell(v) for k, v in plain.items()})
        r[TYPES] = non_text(plain)
    return frame(pd.DataFrame.from_records(records, columns=[*df.columns, TYPES]), start,
                  range(start + 1, start + 1 + len(df)))  # no header row: the n-th record is row n


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


def xlsx_chunks(path: Path, chunk_size: int):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise DataError(f"{path}: not a readable XLSX workbook ({exc})") from None
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise DataError(f"{path}: the first sheet is empty")
        names = [str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
        records: list[dict] = []
        lines: list[int] = []
        start = 0
        for excel_row, values in enumerate(rows, start=(ws.min_row or 1) + 1):
            if values is None or all(v is None for v in values):
                continue
            records.append({n: cell(_xlsx_value(v)) for n, v in zip(names, values)})
            lines.append(excel_row)
            if len(records) >= chunk_size:
                yield frame(records, start, lines)
                start += len(records)
                records, lines = [], []
        if records:
            yield frame(records, start, lines)
    finally:
        wb.close()


def _xlsx_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
