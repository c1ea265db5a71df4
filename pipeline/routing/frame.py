"""The router's input table: a DataFrame with ``text`` and optional area and time columns."""

from __future__ import annotations

import pandas as pd

COLUMNS = ("text", "kelurahan", "kecamatan", "created_at")


def as_frame(X) -> pd.DataFrame:
    """Accept a DataFrame with a ``text`` column or a plain sequence of texts."""
    if isinstance(X, pd.DataFrame):
        df = X.copy()
    else:
        df = pd.DataFrame({"text": list(X)})
    for col in COLUMNS:
        if col not in df.columns:
            df[col] = "" if col != "created_at" else pd.NaT
    df["text"] = df["text"].fillna("").astype(str)
    for col in ("kelurahan", "kecamatan"):
        df[col] = df[col].fillna("").astype(str)
    return df


def parse_times(values: pd.Series) -> pd.Series:
    """Timestamps as naive UTC; unparseable or missing values become NaT."""
    times = pd.to_datetime(values.replace("", None), errors="coerce", utc=True, format="mixed")
    return times.dt.tz_localize(None)
