"""The reader row contract every table format keeps: string cells plus the internal columns ``_row`` (0-based
data row, for resuming and default ids), ``_line`` (the row number a user sees, named by every error message),
``_error`` (a row that could not be parsed), ``_warning`` and ``_types`` (JSON/Parquet cells that were not text).
Shared by :mod:`pipeline.io` (CSV, JSONL) and :mod:`pipeline.table_formats` (XLSX, Parquet)."""

from __future__ import annotations

import json

import pandas as pd

ROW = "_row"
LINE = "_line"  # the row number the user sees (Excel's for CSV/XLSX, the line for JSONL)
ERROR = "_error"  # set by a reader when a row cannot even be parsed (e.g. invalid JSON line)
WARNING = "_warning"  # set by InputColumns.standardise for a value that is ignored (an unreadable date)
TYPES = "_types"  # JSON/Parquet only: {field: type name} of cells that were not text
INTERNAL = (ROW, LINE, ERROR, TYPES)


def frame(records: list[dict] | pd.DataFrame, start: int, lines=None) -> pd.DataFrame:
    """Add ``_row`` (0-based data row) and ``_line`` (what the user sees; default: ``_row + 2``)."""
    df = records if isinstance(records, pd.DataFrame) else pd.DataFrame.from_records(records)
    df = df.reset_index(drop=True)
    df.insert(0, ROW, range(start, start + len(df)))
    df[LINE] = lines if lines is not None else range(start + 2, start + 2 + len(df))  # last: columns keep places
    return df


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def non_text(obj: dict) -> dict:
    """JSON/Parquet cells may be numbers, lists or objects; remember which were not text."""
    names = {bool: "boolean", int: "number", float: "number", list: "list", dict: "object"}
    return {str(k): names.get(type(v), type(v).__name__) for k, v in obj.items()
            if v is not None and not isinstance(v, str)}
