"""Where each field lives in the user's file, and the rows renamed to the pipeline's own column names.

Split from :mod:`pipeline.io`, which only reads tables: this module maps the user's columns (CLI
``--text-col`` etc.) onto the standard names every stage reads, and checks what a row's cells hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import DataError
from pipeline.io import ERROR, LINE, ROW, TYPES, WARNING


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
    sep: str | None = None  # CSV field separator; None: sniffed from the header row

    def require(self, available: list[str], path: str | Path, need_label: bool = False) -> None:
        missing = [c for c in [self.text] + ([self.label] if need_label and self.label else []) if c not in available]
        if missing:
            shown = ", ".join(repr(c) for c in available) or "(none)"
            raise DataError(f"{path}: missing column {', '.join(repr(m) for m in missing)}; columns in file: {shown}")

    def standardise(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """Rename the user's columns to the pipeline's names; absent optional columns become ""."""
        out = pd.DataFrame({ROW: chunk[ROW].to_numpy(), LINE: chunk[LINE].to_numpy()})
        mapping = {"text": self.text, "id": self.id, "opd": self.label, "kelurahan": self.kelurahan,
                   "kecamatan": self.kecamatan, "created_at": self.time, "address": self.address}
        for std, col in mapping.items():
            out[std] = chunk[col].to_numpy() if col and col in chunk.columns else ""
        errors = chunk[ERROR].fillna("").to_numpy() if ERROR in chunk.columns else [""] * len(chunk)
        types = chunk[TYPES].to_numpy() if TYPES in chunk.columns else [{}] * len(chunk)
        out[ERROR] = [err or self._type_error(t) for err, t in zip(errors, types)]
        out[WARNING] = time_warnings(out["created_at"], self.time)
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


def time_warnings(values: pd.Series, column: str | None) -> list[str]:
    """Per value: "" or why a non-empty submission time cannot be read ("kemarin") and is ignored."""
    present = values.map(lambda v: isinstance(v, str) and bool(v.strip()))
    out = [""] * len(values)
    if not present.any():
        return out
    text = values[present].astype(str)
    bad = pd.to_datetime(text, errors="coerce", utc=True, format="mixed").isna().to_numpy()
    for i, value in zip(present.to_numpy().nonzero()[0][bad], text.to_numpy()[bad]):
        out[i] = (f"column '{column}': '{value.strip()[:40]}' is not a date (e.g. 2022-03-01 08:15:00); "
                  "the row was triaged without it")
    return out
