"""Evaluate recurring groups on a labelled export: how many groups, how pure, and a sample to read.

``python -m pipeline.recurring.evaluate --data ../shared/data/surabaya/complaints_2022.csv [--sample 20]``

Purity uses the export's own columns as a proxy for "the same problem": the share of a group's members
whose ``topic`` (and ``opd``) is the group's most common one, averaged over complaints in groups. It
cannot see two different drains of the same topic in one kelurahan — read the printed sample for that.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter

import pandas as pd

from pipeline.dedup import parse_time
from pipeline.recurring.groups import RecurringComplaint, RecurringGrouper


def load(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["t"] = [parse_time(v) for v in df["created_at"]]
    return df[df["t"].notna() & (df["text"].str.strip() != "")].sort_values(["t", "id"], kind="stable")


def complaints(df: pd.DataFrame):
    col = lambda name: df[name].tolist() if name in df.columns else [""] * len(df)  # noqa: E731
    for cid, t, text, kel, kec, addr, unit, resp in zip(col("id"), df["t"].tolist(), col("text"), col("kelurahan"),
                                                         col("kecamatan"), col("address"), col("opd"),
                                                         col("responded_at")):
        yield RecurringComplaint(cid, t, text, kel, kec, addr, unit, bool(resp))


def purity(groups, by: dict[str, str]) -> float:
    """Complaint-weighted share of members carrying their group's most common value."""
    total = agree = 0
    for g in groups:
        values = Counter(by.get(c, "") for c in g.complaint_ids)
        agree += values.most_common(1)[0][1]
        total += g.size
    return agree / total if total else float("nan")


def evaluate(df: pd.DataFrame, grouper: RecurringGrouper) -> tuple[dict, list]:
    started = time.perf_counter()
    grouper.fit(complaints(df))
    elapsed = time.perf_counter() - started
    groups = grouper.summaries(min_size=2, as_of=float(df["t"].max()))
    topic = dict(zip(df["id"], df["topic"])) if "topic" in df.columns else {}
    unit = dict(zip(df["id"], df["opd"])) if "opd" in df.columns else {}
    sizes = [g.size for g in groups]
    report = {
        "complaints": len(df), "seconds": round(elapsed, 1),
        "groups": len(groups), "groups_3plus": sum(s >= 3 for s in sizes), "groups_5plus": sum(s >= 5 for s in sizes),
        "largest": max(sizes, default=0), "complaints_in_groups": sum(sizes),
        "share_in_groups": round(sum(sizes) / max(1, len(df)), 3),
        "topic_purity": round(purity(groups, topic), 3) if topic else None,
        "unit_purity": round(purity(groups, unit), 3) if unit else None,
        "trend": dict(Counter(g.trend for g in groups)),
    }
    return report, groups


def rising_report(df: pd.DataFrame, months: list[str]) -> list[dict]:
    """Rising topics at the first day of each month in ``months`` (``2022-07``), for reading."""
    from pipeline.recurring.rising import TopicRecord, rising_topics

    records = [TopicRecord(i, t, x, u, k) for i, t, x, u, k in zip(df["id"], df["t"], df["text"], df["opd"],
                                                                   df["kecamatan"])]
    out = []
    for month in months:
        as_of = parse_time(f"{month}-01 00:00:00")
        found = rising_topics(records, as_of)
        out.append({"as_of": month, "rising": len(found),
                    "top": [f"{t.scope}={t.value}: {t.label} ({t.recent} vs {t.expected:.1f} expected)"
                            for t in found[:8]]})
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--min-size", type=int, default=3)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--min-text", type=float, default=0.3)
    ap.add_argument("--rising", nargs="*", default=[], metavar="YYYY-MM", help="also list rising topics then")
    args = ap.parse_args(argv)
    df = load(args.data)
    if args.rising:
        print(json.dumps(rising_report(df, args.rising), indent=2, ensure_ascii=False))
    report, groups = evaluate(df, RecurringGrouper(min_text=args.min_text))
    print(json.dumps(report, indent=2))
    text = dict(zip(df["id"], df["text"]))
    topic = dict(zip(df["id"], df["topic"])) if "topic" in df.columns else {}
    pool = [g for g in groups if g.size >= args.min_size]
    for g in random.Random(args.seed).sample(pool, min(args.sample, len(pool))):
        print(f"\n== group {g.id}: {g.size} complaints, {g.kelurahan}/{g.kecamatan}, label '{g.label}', {g.trend}")
        for cid in g.complaint_ids[:6]:
            print(f"   [{topic.get(cid, '')}] {text[cid][:150]!r}")


if __name__ == "__main__":
    main()
