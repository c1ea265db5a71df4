"""Refit and check the pair model on the hand-labelled 2022 pairs.

The label files (next to this file) list ``id_new, id_old, label`` (and a ``stratum``): pairs of
complaint ids from the 2022 Surabaya export (no texts), labelled by hand — 1 when the newer complaint is
about the same issue as the older one (same pothole again, same person re-sending, same noisy venue),
0 when it is the same *kind* of problem at another place, another problem at the same place, or a new
occurrence. Labelling rules and sampling: ``models/cards/dedup.md``.

- ``labels_2022.csv``: all pairs within 60 days with character TF-IDF cosine ≥ 0.5, stratified by it;
- ``labels_2022_candidates.csv``: the finder's own top-5 candidates, stratified by its score;
- ``labels_2022_hard.csv``: hard strata — identical texts from other kelurahan, same street another
  problem, same problem another street or number, one sender several points, same place other wording.

    python -m pipeline.dedup.calibrate [--data PATH]

prints the fitted coefficients (the shipped ones in :mod:`pipeline.dedup.scoring` must equal them; a
test checks it) and time-blocked, component-grouped cross-validated precision/recall with 95 % intervals.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.dedup import crossval, scoring
from pipeline.dedup.features import ComplaintFeatures, parse_time
from pipeline.dedup.index import DuplicateFinder

HERE = Path(__file__).parent
LABELS = HERE / "labels_2022.csv"
CANDIDATE_LABELS = HERE / "labels_2022_candidates.csv"
HARD_LABELS = HERE / "labels_2022_hard.csv"
LABEL_FILES = (LABELS, CANDIDATE_LABELS, HARD_LABELS)
DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "surabaya" / "complaints_2022.csv"
C = 1.0


def build_features(data: Path) -> tuple[DuplicateFinder, dict[str, ComplaintFeatures], dict[str, int]]:
    df = pd.read_csv(data, dtype=str, keep_default_na=False)
    feats = [ComplaintFeatures.build(r.id, parse_time(r.created_at), r.text, r.kelurahan, r.kecamatan, r.address)
             for r in df.itertuples()]
    order = sorted(range(len(feats)), key=lambda i: (feats[i].time, i))
    finder = DuplicateFinder().fit(feats[i] for i in order)
    by_id = {f.id: f for f in feats}
    doc_of = {finder.ids_[d]: d for d in range(len(finder))}
    return finder, by_id, doc_of


def pair_table(data: Path = DEFAULT_DATA, labels: Path | list[Path] = LABEL_FILES) -> pd.DataFrame:
    finder, by_id, doc_of = build_features(data)
    paths = [labels] if isinstance(labels, (str, Path)) else list(labels)
    lab = pd.concat([pd.read_csv(p, dtype={"id_new": str, "id_old": str}).assign(source=Path(p).stem) for p in paths],
                    ignore_index=True)
    rows = []
    for r in lab.itertuples():
        feats = finder.pair_features(by_id[r.id_new], doc_of[r.id_old])
        feats.update(score=scoring.score(feats), label=int(r.label), source=r.source, id_new=r.id_new,
                     id_old=r.id_old, time_new=by_id[r.id_new].time)
        rows.append(feats)
    return pd.DataFrame(rows)


precision_recall = crossval.precision_recall


def _model(X: pd.DataFrame):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=3000).fit(X[list(scoring.FEATURES)], X["label"].to_numpy())


def _gated(model, X: pd.DataFrame) -> np.ndarray:
    p = model.predict_proba(X[list(scoring.FEATURES)])[:, 1]
    return p * scoring.gate({k: X[k].to_numpy() for k in ("text", "other_area", "place", "log_info")})


def fit(X: pd.DataFrame) -> tuple[dict[str, float], float]:
    """The pair model as shipped in :mod:`pipeline.dedup.scoring`: coefficients and intercept, 2 decimals."""
    model = _model(X)
    return dict(zip(scoring.FEATURES, np.round(model.coef_[0], 2).tolist())), round(float(model.intercept_[0]), 2)


def cross_validated(X: pd.DataFrame, blocks: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(out-of-fold gated scores, component labels): time blocks of whole components (see crossval)."""
    comp = crossval.components(X["id_new"], X["id_old"])
    oof = crossval.out_of_fold(X, crossval.time_blocks(comp, X["time_new"].to_numpy(), blocks), _model, _gated)
    return oof, comp


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    args = ap.parse_args(argv)
    X = pair_table(Path(args.data))
    y = X["label"].to_numpy()
    coefficients, intercept = fit(X)
    print(json.dumps({"coefficients": coefficients, "intercept": intercept, "pairs": len(X),
                      "positives": int(y.sum())}, indent=1))
    oof, comp = cross_validated(X)
    print(f"cross-validated: 5 time blocks of whole components ({len(set(comp))} components), 95 % bootstrap")
    for th in (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        flag = oof >= th
        (p, r), (pi, ri) = precision_recall(flag, y), crossval.bootstrap_interval(flag, y, comp)
        mark = "  <- shipped" if th == scoring.DEFAULT_THRESHOLD else ""
        print(f"  threshold {th:.2f}: precision {p:.3f} ({pi[0]:.2f}-{pi[1]:.2f}) "
              f"recall {r:.3f} ({ri[0]:.2f}-{ri[1]:.2f}){mark}")
    flag = oof >= scoring.DEFAULT_THRESHOLD
    for source in sorted(X["source"].unique()):
        part = (X["source"] == source).to_numpy()
        p, r = precision_recall(X["score"].to_numpy()[part] >= scoring.DEFAULT_THRESHOLD, y[part])
        po, ro = precision_recall(flag[part], y[part])
        print(f"  {source}: {int(part.sum())} pairs ({int(y[part].sum())} duplicates); shipped (in-sample) "
              f"precision {p:.3f} recall {r:.3f}; cross-validated precision {po:.3f} recall {ro:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
