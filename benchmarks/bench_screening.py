"""Cost of screening inside ``predict``: time per complaint with vs. without the screener, same run.

    .venv/bin/python benchmarks/bench_screening.py [--repeat 3] [--rows N]

Trains a router on the real Surabaya complaints (Jan–Sep 2022; the demo tenant when the shared data
are absent) and a screener on the Ibrohim tweets (a small self-written set when absent), then times
``TriageModel.predict_records`` on the held-out complaints in chunks of 2,000 (as ``predict`` does),
alternating the two configurations ``--repeat`` times and taking the best of each.
Prints one JSON object; ``ratio`` = with / without, target ≤ 1.30.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.routing.areas import AreaOffices  # noqa: E402
from pipeline.model import TriageModel  # noqa: E402
from pipeline.routing.router import OpdRouter  # noqa: E402
from pipeline.screening import Screener  # noqa: E402

SHARED = Path(os.environ.get("LAPOR_SHARED_DATA", REPO.parent / "shared" / "data"))
COMPLAINTS = SHARED / "surabaya" / "complaints_2022.csv"
TWEETS = SHARED / "abusive" / "ibrohim2019_train.csv"
DEMO = REPO / "pipeline" / "tenants" / "selayar" / "complaints.csv"


def complaints() -> tuple[pd.DataFrame, pd.DataFrame, str]:
    path = COMPLAINTS if COMPLAINTS.is_file() else DEMO
    if path is DEMO:
        print(f"note: {COMPLAINTS} not found; using the demo tenant", file=sys.stderr)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df[df["text"].str.strip() != ""].reset_index(drop=True)
    times = pd.to_datetime(df["created_at"], errors="coerce")
    cut = times.quantile(0.75)
    return df[times <= cut].reset_index(drop=True), df[times > cut].reset_index(drop=True), path.name


def screener() -> tuple[Screener, str]:
    if TWEETS.is_file():
        tweets = pd.read_csv(TWEETS)
        return Screener().fit(tweets["Tweet"].tolist(), tweets.drop(columns=["Tweet"])), TWEETS.name
    print(f"note: {TWEETS} not found; training the screener on the test suite's tiny set", file=sys.stderr)
    from tests.test_screening import tiny_training

    texts, labels = tiny_training()
    return Screener(cv=0, min_df=1).fit(texts, labels), "tiny self-written set"


def timed(model: TriageModel, df: pd.DataFrame, chunk: int = 2000) -> float:
    start = time.perf_counter()
    for i in range(0, len(df), chunk):
        model.predict_records(df.iloc[i : i + chunk])
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", type=int, default=None, help="limit the timed rows")
    args = ap.parse_args()

    train, test, source = complaints()
    if args.rows:
        test = test.iloc[: args.rows]
    router = OpdRouter(areas=AreaOffices()).fit(train, train["opd"])
    scr, scr_source = screener()
    plain = TriageModel(router=router, manifest={"model_version": "bench"})
    screening = TriageModel(router=router, manifest={"model_version": "bench"}, screener=scr)
    timed(plain, test.iloc[:200])  # warm caches (stemmer, slang, spaCy vocab) for both
    timed(screening, test.iloc[:200])
    without, with_ = [], []
    for _ in range(args.repeat):
        without.append(timed(plain, test))
        with_.append(timed(screening, test))
    flagged = sum(r["flagged"] for r in screening.predict_records(test))
    best_without, best_with = min(without), min(with_)
    print(json.dumps({
        "complaints": source, "screener_trained_on": scr_source, "rows_timed": len(test),
        "ms_per_complaint_without_screening": round(1000 * best_without / len(test), 3),
        "ms_per_complaint_with_screening": round(1000 * best_with / len(test), 3),
        "ratio": round(best_with / best_without, 3),
        "target_ratio": 1.30,
        "flagged_share_of_timed_rows": round(flagged / len(test), 4),
    }, indent=2))


if __name__ == "__main__":
    main()
