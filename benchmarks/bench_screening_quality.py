"""Screening quality on tweets and flag rate on complaints, in one run.

    .venv/bin/python benchmarks/bench_screening_quality.py [--seeds 0 1] [--C 3.0]

Tweets: the stratified 80/20 hold-out of the Ibrohim & Budi (2019) tweets
(``../shared/data/abusive/ibrohim2019_train.csv``; ``train_test_split(test_size=0.2, stratify=HS or
Abusive, random_state=seed)``): a :class:`Screener` fitted on the 80 % (its threshold chosen by its own
out-of-fold F1 on those), ``flagged`` scored against *HS or Abusive* on the 20 %. The accusation detector
is the one a build makes when the shared data are present (fitted on ``pipeline/screening/labels_2022.csv``,
:func:`pipeline.screening.accusation_eval.train_from_labels`). Complaints: the share of the 2022 Surabaya
complaints that the same screener flags (target ≤ 2 %). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.screening import Screener  # noqa: E402

SHARED = Path(os.environ.get("LAPOR_SHARED_DATA", REPO.parent / "shared" / "data"))
TWEETS = SHARED / "abusive" / "ibrohim2019_train.csv"
COMPLAINTS = SHARED / "surabaya" / "complaints_2022.csv"


def main() -> int:
    from sklearn.metrics import f1_score, precision_score, recall_score
    from sklearn.model_selection import train_test_split

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--C", type=float, default=None, help="the model's C (default: the Screener's)")
    args = ap.parse_args()
    if not TWEETS.is_file():
        print(f"{TWEETS} not found: this benchmark needs the shared data", file=sys.stderr)
        return 2
    tweets = pd.read_csv(TWEETS)
    y = ((tweets["HS"] + tweets["Abusive"]) > 0).astype(int)
    complaints = pd.read_csv(COMPLAINTS, dtype=str, keep_default_na=False)["text"].tolist() if COMPLAINTS.is_file() else []
    detector = None
    if complaints:
        from pipeline.screening.accusation_eval import train_from_labels

        detector, _ = train_from_labels(COMPLAINTS)
    out = {"tweets": TWEETS.name, "accusation_detector": "label-trained" if detector else "seed", "runs": []}
    for seed in args.seeds:
        train, test = train_test_split(tweets, test_size=0.2, stratify=y, random_state=seed)
        kwargs = {"accusation": detector} if args.C is None else {"C": args.C, "accusation": detector}
        s = Screener(**kwargs).fit(train["Tweet"].tolist(), train.drop(columns=["Tweet"]))
        truth = ((test["HS"] + test["Abusive"]) > 0).astype(int).to_numpy()
        pred = [int(r.flagged) for r in s.screen(test["Tweet"].tolist())]
        run = {"seed": seed, "threshold": s.threshold_, "f1": round(f1_score(truth, pred), 4),
               "precision": round(precision_score(truth, pred), 4), "recall": round(recall_score(truth, pred), 4),
               "target_f1": 0.90}
        if complaints:
            flagged = [r for r in s.screen(complaints) if r.flagged]
            run["complaints_flagged_share"] = round(len(flagged) / len(complaints), 4)
            run["complaints_flagged"] = len(flagged)
        out["runs"].append(run)
        print(json.dumps(run), file=sys.stderr)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
