"""The evaluation gate: candidate and active model scored on the same most recent decided complaints.

The hold-out is the latest decided complaints by time, never in the candidate's training data. Figures per model:
top-1 and top-3 accuracy, macro-F1 over the units in the hold-out, auto-route coverage and precision as each
model would auto-route, and *coverage at target precision* — the largest share of the hold-out a confidence
cut-off can auto-route while its suggestions still reach the target precision (comparable between models whose
own thresholds differ). The candidate fails the gate when any of top-1, top-3, macro-F1 or coverage at target
precision is lower than the active model's by more than ``tolerance``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from pipeline.model import TriageModel

GATED = (("top1_accuracy", "top-1"), ("top3_accuracy", "top-3"), ("macro_f1", "macro-F1"),
         ("coverage_at_target", "cakupan rute otomatis pada presisi target"))


def coverage_at_precision(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """Largest share of rows, taken by descending confidence, whose suggestions reach ``target`` precision."""
    if not len(confidence):
        return 0.0
    order = np.argsort(-confidence, kind="stable")
    conf, hits = confidence[order], np.cumsum(correct[order])
    n = np.arange(1, len(conf) + 1)
    ok = [k for k in np.nonzero(hits / n >= target)[0] if k == len(conf) - 1 or conf[k] > conf[k + 1]]
    return float((max(ok) + 1) / len(conf)) if ok else 0.0


def score(model: TriageModel, holdout: pd.DataFrame, target_precision: float) -> dict:
    """The gate's figures of ``model`` on ``holdout`` (columns text, opd and the area/time columns)."""
    routings = model.route(holdout, explain=False)
    truth = holdout["opd"].astype(str).to_numpy()
    pred = np.array([r.opd or "" for r in routings], dtype=object)
    correct = pred == truth
    conf = np.array([float(r.confidence) for r in routings])
    auto = np.array([bool(r.auto_route) for r in routings])
    top3 = np.array([t in [s.opd for s in r.top_k[:3]] for r, t in zip(routings, truth)])
    return {
        "model_version": model.version,
        "n": int(len(truth)),
        "top1_accuracy": float(correct.mean()),
        "top3_accuracy": float(top3.mean()),
        "macro_f1": float(f1_score(truth, pred, labels=sorted(set(truth)), average="macro", zero_division=0)),
        "auto_route_coverage": float(auto.mean()),
        "auto_route_precision": float(correct[auto].mean()) if auto.any() else None,
        "coverage_at_target": coverage_at_precision(conf, correct, target_precision),
        "target_precision": target_precision,
    }


def compare(candidate: TriageModel, active: TriageModel | None, holdout: pd.DataFrame, *,
            target_precision: float = 0.95, tolerance: float = 0.01) -> dict:
    """Both models on the same hold-out; ``passed`` is None when there is nothing to compare on."""
    times = pd.to_datetime(holdout.get("created_at", pd.Series(dtype=str)), errors="coerce", utc=True)
    out = {"holdout": {"n": int(len(holdout)),
                       "from": str(times.min()) if times.notna().any() else None,
                       "to": str(times.max()) if times.notna().any() else None},
           "tolerance": tolerance, "candidate": None, "active": None, "passed": None, "reasons": []}
    if active is None or holdout.empty:
        out["reasons"] = ["tidak ada pengaduan terputus yang dapat dipakai untuk membandingkan model"]
        return out
    out["candidate"] = cand = score(candidate, holdout, target_precision)
    out["active"] = act = score(active, holdout, target_precision)
    for key, label in GATED:
        if cand[key] < act[key] - tolerance:
            out["reasons"].append(f"{label} {cand[key]:.3f} < {act[key]:.3f}")
    out["passed"] = not out["reasons"]
    return out
