"""Refit and check the pair model on the hand-labelled 2022 pairs.

``labels_2022.csv`` (next to this file) lists ``id_new, id_old, label``: pairs of complaint ids
from the 2022 Surabaya export (no texts), labelled by hand — 1 when the newer complaint is about
the same issue as the older one (same pothole again, same person re-sending, same noisy venue),
0 when it is the same *kind* of problem at another place or a new occurrence. Pairs were sampled
from all pairs within 60 days with character TF-IDF cosine ≥ 0.5, stratified by that cosine.

    python -m pipeline.dedup.calibrate [--data PATH]

prints the fitted coefficients, and cross-validated precision/recall of ``is_duplicate`` at
several thresholds, plus the shipped model's precision/recall on all labelled pairs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.dedup import scoring
from pipeline.dedup.features import ComplaintFeatures, parse_time
from pipeline.dedup.index import DuplicateFinder

LABELS = Path(__file__).with_name("labels_2022.csv")
# a second set: pairs the finder itself proposes (its top-5 candidates, non-identical texts), stratified by
# the shipped score — the hard cases (same street another problem, same problem another street, one
# sender several points) that decide precision and recall in use
CANDIDATE_LABELS = Path(__file__).with_name("labels_2022_candidates.csv")
DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "surabaya" / "complaints_2022.csv"


def build_features(data: Path) -> tuple[DuplicateFinder, dict[str, ComplaintFeatures], dict[str, int]]:
    df = pd.read_csv(data, dtype=str, keep_default_na=False)
    feats = [ComplaintFeatures.build(r.id, parse_time(r.created_at), r.text, r.kelurahan, r.kecamatan, r.address)
             for r in df.itertuples()]
    order = sorted(range(len(feats)), key=lambda i: (feats[i].time, i))
    finder = DuplicateFinder().fit(feats[i] for i in order)
    by_id = {f.id: f for f in feats}
    doc_of = {finder.ids_[d]: d for d in range(len(finder))}
    return finder, by_id, doc_of


def pair_table(data: Path = DEFAULT_DATA, labels: Path | list[Path] = LABELS) -> pd.DataFrame:
    finder, by_id, doc_of = build_features(data)
    paths = [labels] if isinstance(labels, (str, Path)) else list(labels)
    lab = pd.concat([pd.read_csv(p, dtype={"id_new": str, "id_old": str}).assign(source=Path(p).stem) for p in paths],
                    ignore_index=True)
    rows = []
    for r in lab.itertuples():
        feats = finder.pair_features(by_id[r.id_new], doc_of[r.id_old])
        feats["score"] = scoring.score(feats)
        feats["label"] = int(r.label)
        feats["source"] = r.source
        rows.append(feats)
    return pd.DataFrame(rows)


def precision_recall(flag: np.ndarray, label: np.ndarray) -> tuple[float, float]:
    tp = int((flag & (label == 1)).sum())
    return tp / max(int(flag.sum()), 1), tp / max(int((label == 1).sum()), 1)


def fit(X: pd.DataFrame) -> tuple[dict[str, float], float]:
    """The pair model as shipped in :mod:`pipeline.dedup.scoring`: coefficients and intercept, 2 decimals."""
    from sklearn.linear_model import LogisticRegression

    cols = list(scoring.FEATURES)
    model = LogisticRegression(C=1.0, max_iter=2000).fit(X[cols], X["label"].to_numpy())
    return dict(zip(cols, np.round(model.coef_[0], 2).tolist())), round(float(model.intercept_[0]), 2)


def main(argv=None) -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    args = ap.parse_args(argv)
    X = pair_table(Path(args.data), [LABELS, CANDIDATE_LABELS])
    cols = list(scoring.FEATURES)
    y = X["label"].to_numpy()
    coefficients, intercept = fit(X)
    print(json.dumps({"coefficients": coefficients, "intercept": intercept, "pairs": len(X),
                      "positives": int(y.sum())}, indent=1))
    oof = np.zeros(len(X))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        m = LogisticRegression(C=1.0, max_iter=2000).fit(X[cols].iloc[train], y[train])
        p = m.predict_proba(X[cols].iloc[test])[:, 1]
        oof[test] = p * np.minimum(1.0, X["text"].iloc[test].to_numpy() / scoring.TEXT_GATE)
    for th in (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        p, r = precision_recall(oof >= th, y)
        print(f"cross-validated  threshold {th:.2f}: precision {p:.3f} recall {r:.3f}")
    p, r = precision_recall(X["score"].to_numpy() >= scoring.DEFAULT_THRESHOLD, y)
    print(f"shipped model    threshold {scoring.DEFAULT_THRESHOLD:.2f}: precision {p:.3f} recall {r:.3f} (in-sample)")
    for source in sorted(X["source"].unique()):
        part = (X["source"] == source).to_numpy()
        p, r = precision_recall(X["score"].to_numpy()[part] >= scoring.DEFAULT_THRESHOLD, y[part])
        po, ro = precision_recall(oof[part] >= scoring.DEFAULT_THRESHOLD, y[part])
        print(f"  {source}: {int(part.sum())} pairs; shipped precision {p:.3f} recall {r:.3f}; "
              f"cross-validated refit precision {po:.3f} recall {ro:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
