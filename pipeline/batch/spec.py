"""What a batch run writes: the result columns (:class:`OutputSpec`), the input columns kept beside them,
and the summary it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from pipeline.columns import InputColumns
from pipeline.errors import DataError

Process = Callable[[pd.DataFrame], list[dict]]
KEPT = "_keep:"  # prefix of input columns carried to the output


@dataclass(frozen=True)
class OutputSpec:
    """Output columns (after ``id``, before ``error``) with their types: str, float, bool."""

    columns: dict[str, type]
    empty: dict[str, object] = field(default_factory=dict)

    def empty_row(self) -> dict:
        defaults = {str: "", float: None, bool: False, int: None}
        return {c: self.empty.get(c, defaults[t]) for c, t in self.columns.items()}

    @property
    def names(self) -> list[str]:
        return ["id", *self.columns, "error"]


@dataclass
class BatchSummary:
    rows: int = 0
    errors: int = 0
    out_of_tenant: int = 0  # rows the triage core found not to be from the model's region (never auto-routed)
    resumed_from: int = 0
    seconds: float = 0.0
    output: str = ""

    def as_dict(self) -> dict:
        return {"rows": self.rows, "ok": self.rows - self.errors, "errors": self.errors,
                "resumed_from_row": self.resumed_from, "seconds": round(self.seconds, 2),
                "output": self.output}


@dataclass(frozen=True)
class Layout:
    """The output file's columns in order, and the record key each is read from (a kept input column is
    stored as ``_keep:<name>`` and written as its own name, or ``input_<name>`` where a result has it)."""

    names: list[str]
    keys: list[str]
    types: dict[str, type]

    @classmethod
    def of(cls, spec: OutputSpec, kept: dict[str, str] | None = None) -> "Layout":
        kept = kept or {}
        names = ["id", *kept.values(), *spec.columns, "error"]
        keys = ["id", *(KEPT + src for src in kept), *spec.columns, "error"]
        types = {"id": str, **{n: str for n in kept.values()}, **spec.columns, "error": str}
        return cls(names, keys, types)


def kept_columns(keep, available: list[str], in_path: Path, columns: InputColumns) -> list[str]:
    if keep is None:  # the default: what staff need to read a result without looking the id up
        return [c for c in (columns.text, columns.kecamatan, columns.kelurahan, columns.time)
                if c and c in available]
    missing = [c for c in keep if c not in available]
    if missing:
        raise DataError(f"{in_path}: --keep column {', '.join(repr(m) for m in missing)} is not in the file; "
                        f"columns in file: {', '.join(repr(c) for c in available)}")
    return list(dict.fromkeys(keep))


def output_names(keep: list[str], spec: OutputSpec) -> dict[str, str]:
    """Output name of each kept input column: its own, or ``input_<name>`` where a result has it."""
    taken = set(spec.names)
    return {c: (f"input_{c}" if c in taken else c) for c in keep}


def with_kept(std: pd.DataFrame, raw: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    for c in keep:
        std[KEPT + c] = raw[c].to_numpy()
    return std
