"""Train and evaluate the accusation detector on the hand labels (time-based folds, intervals).

``python -m pipeline.screening.accusation_eval [--data ../shared/data/surabaya/complaints_2022.csv]``
prints the cross-validated figures of the model card as JSON.

- **Folds by time**: the labelled complaints are sorted by ``created_at`` and cut into 5 contiguous
  blocks; each block is scored by a model fitted on the other four, so every score comes from a
  model that never saw that period (the acceptance data is a *later* period).
- **Two readings**: on the labelled sample as it is (candidate-enriched, like the acceptance
  sample) and weighted back to the whole file by the sampling fractions of each stratum.
- **Intervals**: Wilson 95 % for the sample proportions; a stratified bootstrap (1,000 draws) for
  the weighted ones.
- **Threshold**: the one maximising out-of-fold F1 on the sample, among thresholds flagging at most
  ``max_flag_rate`` of the whole file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.screening.accusation_model import AccusationDetector
from pipeline.text import clean_text

LABELS_PATH = Path(__file__).with_name("labels_2022.csv")
SHARED_DATA = Path(os.environ.get("LAPOR_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
DEFAULT_DATA = SHARED_DATA / "surabaya" / "complaints_2022.csv"
# how many complaints of the 2022 file each stratum holds (the sampling of labels_2022.csv)
STRATUM_SIZE = {"candidate_accusation": 474, "candidate_money_target": 719, "random": 7590}
GRID = np.round(np.arange(0.15, 0.85, 0.025), 3)


def load_labelled(data: str | Path, labels: str | Path = LABELS_PATH) -> pd.DataFrame:
    """Labelled complaints with cleaned text, sorted by time. Raises ``FileNotFoundError`` if absent."""
    complaints = pd.read_csv(data, usecols=["id", "text", "created_at"])
    lab = pd.read_csv(labels)
    missing = set(lab.id) - set(complaints.id)
    if missing:
        raise ValueError(f"{labels}: {len(missing)} labelled id(s) not in {data}, e.g. {sorted(missing)[:3]}")
    m = lab.merge(complaints, on="id").sort_values(["created_at", "id"], kind="stable").reset_index(drop=True)
    m["clean"] = [clean_text(str(t)) for t in m.text]
    return m


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (round(centre - half, 3), round(centre + half, 3))


def out_of_fold(m: pd.DataFrame, n_folds: int = 5, C: float = 0.5) -> np.ndarray:
    detector = AccusationDetector(C=C)
    X = detector.features(m.clean.tolist())
    y = m.needs_review.to_numpy()
    oof = np.zeros(len(m))
    for block in np.array_split(np.arange(len(m)), n_folds):
        train = np.setdiff1d(np.arange(len(m)), block)
        model = AccusationDetector(C=C)
        model.model_ = _fit_lr(X[train], y[train], C)
        oof[block] = model.model_.predict_proba(X[block])[:, 1]
    return oof


def _fit_lr(X, y, C):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=2000).fit(X, y)


def weights(m: pd.DataFrame) -> np.ndarray:
    sampled = m.stratum.value_counts()
    return m.stratum.map(lambda s: STRATUM_SIZE[s] / sampled[s]).to_numpy(dtype=float)


def metrics(y: np.ndarray, flagged: np.ndarray, w: np.ndarray | None = None) -> dict:
    tp, fp, fn = int((flagged & (y == 1)).sum()), int((flagged & (y == 0)).sum()), int((~flagged & (y == 1)).sum())
    out = {"tp": tp, "fp": fp, "fn": fn,
           "precision": round(tp / (tp + fp), 3) if tp + fp else None, "precision_ci": wilson(tp, tp + fp),
           "recall": round(tp / (tp + fn), 3) if tp + fn else None, "recall_ci": wilson(tp, tp + fn)}
    if w is not None:
        wtp, wfp, wfn = (float((w * mask).sum()) for mask in (flagged & (y == 1), flagged & (y == 0), ~flagged & (y == 1)))
        out["weighted"] = {"precision": round(wtp / (wtp + wfp), 3) if wtp + wfp else None,
                           "recall": round(wtp / (wtp + wfn), 3) if wtp + wfn else None,
                           "flag_rate": round((wtp + wfp) / float(w.sum()), 4)}
    return out


def bootstrap(y, flagged, w, strata, draws: int = 1000, seed: int = 0) -> dict:
    """Stratified bootstrap 95 % intervals of the weighted precision, recall and flag rate."""
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    stats = []
    for _ in range(draws):
        idx = np.concatenate([rng.choice(g, size=len(g), replace=True) for g in groups])
        yy, ff, ww = y[idx], flagged[idx], w[idx]
        wtp, wfp, wfn = (ww * (ff & (yy == 1))).sum(), (ww * (ff & (yy == 0))).sum(), (ww * (~ff & (yy == 1))).sum()
        stats.append((wtp / (wtp + wfp) if wtp + wfp else np.nan, wtp / (wtp + wfn) if wtp + wfn else np.nan,
                      (wtp + wfp) / ww.sum()))
    arr = np.array(stats)
    lo, hi = np.nanpercentile(arr, 2.5, axis=0), np.nanpercentile(arr, 97.5, axis=0)
    return {k: (round(float(a), 3), round(float(b), 4 if k == "flag_rate" else 3))
            for k, a, b in zip(("precision", "recall", "flag_rate"), lo, hi)}


def choose_threshold(y: np.ndarray, oof: np.ndarray, w: np.ndarray, max_flag_rate: float = 0.015) -> float:
    best, best_f1 = float(GRID[-1]), -1.0
    for t in GRID:
        flagged = oof >= t
        if float((w * flagged).sum() / w.sum()) > max_flag_rate:
            continue
        tp, fp, fn = (flagged & (y == 1)).sum(), (flagged & (y == 0)).sum(), (~flagged & (y == 1)).sum()
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best


def train_from_labels(data: str | Path, labels: str | Path = LABELS_PATH, C: float = 0.5,
                      max_flag_rate: float = 0.015) -> tuple[AccusationDetector, dict]:
    """A detector fitted on all labels, its threshold chosen out of fold, and the evaluation report."""
    m = load_labelled(data, labels)
    y = m.needs_review.to_numpy()
    oof = out_of_fold(m, C=C)
    w = weights(m)
    threshold = choose_threshold(y, oof, w, max_flag_rate)
    flagged = oof >= threshold
    report = {"labelled": int(len(m)), "positives": int(y.sum()), "folds": "5 contiguous time blocks",
              "threshold": threshold, "C": C, "sample": metrics(y, flagged, w),
              "weighted_bootstrap_ci": bootstrap(y, flagged, w, m.stratum.to_numpy()),
              "by_stratum": {s: metrics(y[m.stratum == s], flagged[(m.stratum == s).to_numpy()])
                             for s in STRATUM_SIZE}}
    detector = AccusationDetector(C=C, threshold=threshold).fit(m.clean.tolist(), y)
    return detector, report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--labels", default=str(LABELS_PATH))
    ap.add_argument("--C", type=float, default=0.5)
    ap.add_argument("--max-flag-rate", type=float, default=0.015)
    args = ap.parse_args(argv)
    detector, report = train_from_labels(args.data, args.labels, args.C, args.max_flag_rate)
    full = pd.read_csv(args.data, usecols=["text"])
    scores = detector.decision_scores([clean_text(str(t)) for t in full.text])
    report["flag_rate_whole_file_in_sample_fit"] = round(float((scores >= detector.threshold).mean()), 4)
    report["weights"] = detector.weights()
    print(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
