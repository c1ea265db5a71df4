"""How soon a topic the model has never seen is routed right: the replay's complaints grouped by topic age.

A new programme or service (a cash-aid scheme for ride-hailing drivers, a new school portal) reaches the
complaint channel before it reaches any training data. A model retrained monthly learns it at the next retrain,
up to a month late; the memory of recent decisions (:mod:`pipeline.routing.memory`) can route it right as soon
as operators have decided the first few. This measures that on a replay: the complaints whose topic first
appeared after training started, by the days since that topic's first complaint.

The topic (the handler's classification in an export such as Surabaya's) only groups the complaints here; no
model reads it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.routing.frame import parse_times

BUCKETS = ((0, 7, "day 0–7"), (8, 30, "day 8–30"), (31, None, "day 31+"))


def topic_age(df: pd.DataFrame, start: str, topic: str = "topic") -> pd.Series:
    """For each complaint whose topic's first complaint is in or after month ``start`` (YYYY-MM): days since
    that first complaint (NaN for the others, and for complaints without a topic or a time)."""
    times = parse_times(df["created_at"])
    topics = df[topic].astype(str).str.strip()
    known = topics.ne("") & times.notna()
    first = times[known].groupby(topics[known]).transform("min")
    new = first >= pd.Timestamp(f"{start}-01", tz=first.dt.tz)
    age = (times[known] - first).dt.total_seconds() / 86400
    return age.where(new).reindex(df.index)


def new_topic_table(df: pd.DataFrame, per_complaint: dict[str, pd.DataFrame], start: str,
                    topic: str = "topic") -> str:
    """Markdown table: per variant and topic age bucket, top-1 and top-3 of the new topics' complaints."""
    age = topic_age(df, start, topic)
    lines = ["| variant | " + " | ".join(f"{label} top-1 / top-3" for _, _, label in BUCKETS) + " |",
             "|---|" + "---|" * len(BUCKETS)]
    parts: list[pd.DataFrame] = []
    for name, hits in per_complaint.items():
        ages = age.reindex(hits.index).to_numpy()
        parts = [hits[(ages >= lo) & (ages < (np.inf if hi is None else hi + 1))] for lo, hi, _ in BUCKETS]
        cells = [f"{p['top1'].mean():.3f} / {p['top3'].mean():.3f}" if len(p) else "–" for p in parts]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| complaints | " + " | ".join(str(len(p)) for p in parts) + " |")  # the same rows in each variant
    return "\n".join(lines)
