"""What a batch command computes per row, as a small picklable value that any engine can run.

The local engine builds the process function in its own process; the Dask engine sends the same
value to every task and builds it on the worker against the model shipped there. Rows computed
beforehand (the duplicate walk, which must see rows in time order) travel with the work, sliced to
the partition that needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import pandas as pd

from pipeline.io import ROW

Process = Callable[[pd.DataFrame], list[dict]]


@dataclass(frozen=True)
class Work:
    """``kind``: ``predict`` (router, plus screener when bundled), ``screen`` or ``rows`` (precomputed only).

    ``rows`` (row number → columns) are merged into each record; rows absent from it get ``missing``.
    """

    kind: str
    rows: dict[int, dict] | None = None
    missing: dict | None = None

    def process(self, model_dir: str | Path | None) -> Process:
        if self.kind == "predict":
            from pipeline.model import TriageModel

            model = TriageModel.load(model_dir)

            def base(df: pd.DataFrame) -> list[dict]:
                return model.predict_records(df)

            base.warm = model.warm  # run before forking workers (pipeline.batch)
        elif self.kind == "screen":
            from pipeline.model import load_screener
            from pipeline.triage import Triage
            from pipeline.triage.records import batch_record, items_of

            screener, _ = load_screener(model_dir)
            triage = Triage(screener=screener)

            def base(df: pd.DataFrame) -> list[dict]:
                return [batch_record(r) for r in triage.run(items_of(df))]
        elif self.kind == "rows":
            def base(df: pd.DataFrame) -> list[dict]:
                return [{} for _ in range(len(df))]
        else:
            raise ValueError(f"unknown work kind {self.kind!r}")
        if self.rows is None:
            return base
        rows, missing = self.rows, self.missing or {}

        def with_rows(df: pd.DataFrame) -> list[dict]:
            return [{**rec, **rows.get(int(r), missing)} for rec, r in zip(base(df), df[ROW])]

        with_rows.warm = getattr(base, "warm", None)
        return with_rows

    def for_rows(self, first_row: int, n: int) -> "Work":
        """The same work carrying only the precomputed rows ``first_row … first_row + n - 1``."""
        if self.rows is None:
            return self
        return replace(self, rows={r: self.rows[r] for r in range(first_row, first_row + n) if r in self.rows})
