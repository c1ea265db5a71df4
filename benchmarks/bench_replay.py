"""Month-by-month replay: frozen vs retrained-before-each-month vs retrained + what decisions teach.

    nice -n 10 .venv/bin/python benchmarks/bench_replay.py [--data PATH] [--start 2022-07] [--cache DIR]

Trains on every complaint before ``--start`` (default: Jan–Jun 2022 of the Surabaya file), then replays
each later month: the *frozen* model, the model *retrained* before the month on all earlier complaints
(the decided complaints), and adaptive variants around the retrained model that see each week's
decisions after routing it (``pipeline.routing.replay``). Prints per-month and pooled top-1, top-3,
macro-F1, auto-route coverage and precision against the issue-16 targets, then — when the file has a
``topic`` column — how soon topics never seen before are routed right (``pipeline.routing.new_topics``).
``--cache`` keeps fitted routers between runs (never commit it: they are trained on the data).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.routing.adaptive import AdaptiveRouter  # noqa: E402
from pipeline.routing.area_prior import AreaKindPrior  # noqa: E402
from pipeline.routing.confidence import CorrectnessModel  # noqa: E402
from pipeline.routing.memory import DecisionMemory  # noqa: E402
from pipeline.routing.new_topics import new_topic_table  # noqa: E402
from pipeline.routing.replay import RouterCache, replay, table  # noqa: E402
from pipeline.routing.thresholds import RecentThresholds  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "surabaya" / "complaints_2022.csv"
TARGETS = {"top1": 0.80, "top3": 0.93, "coverage": 0.50, "precision": 0.95, "month": 0.93}


def variants() -> dict:
    """Adaptive variants around the month's retrained model (defaults as tuned on this replay)."""
    return {
        "+memory": lambda m: AdaptiveRouter(m, prefit=True, memory=DecisionMemory()),
        "+memory+thresholds": lambda m: AdaptiveRouter(m, prefit=True, memory=DecisionMemory(),
                                                       thresholds=RecentThresholds()),
        "+memory+score+thresholds": lambda m: AdaptiveRouter(m, prefit=True, memory=DecisionMemory(),
                                                             thresholds=RecentThresholds(),
                                                             correctness=CorrectnessModel()),
        "+memory+thresholds+area": lambda m: AdaptiveRouter(m, prefit=True, memory=DecisionMemory(),
                                                            thresholds=RecentThresholds(),
                                                            area_steps=[AreaKindPrior()]),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--start", default="2022-07", help="first replayed month (YYYY-MM); earlier months train")
    ap.add_argument("--cache", type=Path, default=None, help="directory for fitted routers between runs")
    ap.add_argument("--step-days", type=int, default=7, help="how often decisions are fed back")
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"{args.data} not found: the replay needs a time-ordered labelled complaint file "
              "(text, opd, created_at, kelurahan, kecamatan)", file=sys.stderr)
        return 2
    df = pd.read_csv(args.data, dtype=str, keep_default_na=False)
    t0 = time.perf_counter()
    per_complaint: dict = {}
    results = replay(df, args.start, variants(), cache=RouterCache(args.cache), step_days=args.step_days,
                     log=lambda s: print(s, file=sys.stderr, flush=True), per_complaint=per_complaint)
    print(table(results, TARGETS))
    if "topic" in df.columns:
        print("\nComplaints on topics first seen after training started, by days since the topic's first "
              "complaint (the topic only groups them; no model reads it):\n")
        print(new_topic_table(df, per_complaint, args.start))
    print(f"\n{len(df)} complaints, replay from {args.start}, {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
