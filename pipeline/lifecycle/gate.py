"""The evaluation gate: candidate and active model scored on the same most recent decided complaints.

The hold-out is the latest decided complaints by time, never in the candidate's training data. Figures per model:
top-1 and top-3 accuracy, macro-F1 over the units in the hold-out, auto-route coverage and precision as each
model would auto-route, and *coverage at target precision* — the largest share of the hold-out a confidence
cut-off can auto-route while its suggestions still reach the target precision (comparable between models whose
own thresholds differ).

Both models are scored on the *same* rows, so the comparison is paired (:mod:`pipeline.lifecycle.paired`): for
each gated figure a 95 % paired-bootstrap interval of candidate − active, and McNemar's exact test on top-1. The
candidate fails the gate only when it is *significantly* worse: the whole interval of some gated figure lies
below ``-margin``. On five complaints the interval is wide and a one-complaint difference does not fail it; on
thousands a real drop of a point does. ``n`` and the intervals are in the result for the console and the API.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.lifecycle import paired
from pipeline.lifecycle.paired import coverage_at_precision  # noqa: F401 - the gate's public figure
from pipeline.model import TriageModel

GATED = (("top1_accuracy", "top-1"), ("top3_accuracy", "top-3"), ("macro_f1", "macro-F1"),
         ("coverage_at_target", "cakupan rute otomatis pada presisi target"))


def outcomes(model: TriageModel, holdout: pd.DataFrame, codes: dict[str, int]) -> tuple[paired.Outcomes, np.ndarray]:
    """Per-row outcomes of ``model`` on ``holdout`` (units coded by ``codes``) and its auto-route flags."""
    routings = model.route(holdout, explain=False)
    truth = holdout["opd"].astype(str).to_numpy()
    return paired.Outcomes(
        truth=np.array([codes[t] for t in truth], dtype=int),
        pred=np.array([codes.get(r.opd or "", -1) for r in routings], dtype=int),
        top3=np.array([t in [s.opd for s in r.top_k[:3]] for r, t in zip(routings, truth)], dtype=bool),
        confidence=np.array([float(r.confidence) for r in routings], dtype=float),
    ), np.array([bool(r.auto_route) for r in routings], dtype=bool)


def figures(o: paired.Outcomes, auto: np.ndarray, target_precision: float) -> dict:
    every = np.arange(len(o.truth))
    correct = o.pred == o.truth
    return {
        "n": int(len(o.truth)),
        "top1_accuracy": paired.top1(o, every),
        "top3_accuracy": paired.top3(o, every),
        "macro_f1": paired.macro_f1(o, every),
        "auto_route_coverage": float(auto.mean()) if len(auto) else 0.0,
        "auto_route_precision": float(correct[auto].mean()) if auto.any() else None,
        "coverage_at_target": paired.coverage(target_precision)(o, every),
        "target_precision": target_precision,
    }


def score(model: TriageModel, holdout: pd.DataFrame, target_precision: float) -> dict:
    """The gate's figures of ``model`` on ``holdout`` (columns text, opd and the area/time columns)."""
    codes = {u: i for i, u in enumerate(sorted(set(holdout["opd"].astype(str))))}
    o, auto = outcomes(model, holdout, codes)
    return {"model_version": model.version, **figures(o, auto, target_precision)}


def compare(candidate: TriageModel, active: TriageModel | None, holdout: pd.DataFrame, *,
            target_precision: float = 0.95, margin: float = 0.0, draws: int = paired.DRAWS) -> dict:
    """Both models on the same hold-out; ``passed`` is None when there is nothing to compare on."""
    times = pd.to_datetime(holdout.get("created_at", pd.Series(dtype=str)), errors="coerce", utc=True)
    out = {"holdout": {"n": int(len(holdout)),
                       "from": str(times.min()) if times.notna().any() else None,
                       "to": str(times.max()) if times.notna().any() else None},
           "method": {"test": "paired bootstrap of candidate − active on the same rows; McNemar exact on top-1",
                      "draws": draws, "confidence": paired.CONFIDENCE, "margin": margin},
           "candidate": None, "active": None, "differences": {}, "mcnemar_top1": None,
           "passed": None, "reasons": []}
    if active is None or holdout.empty:
        out["reasons"] = ["tidak ada pengaduan terputus yang dapat dipakai untuk membandingkan model"]
        return out
    codes = {u: i for i, u in enumerate(sorted(set(holdout["opd"].astype(str))))}
    (oc, auto_c), (oa, auto_a) = outcomes(candidate, holdout, codes), outcomes(active, holdout, codes)
    out["candidate"] = cand = {"model_version": candidate.version, **figures(oc, auto_c, target_precision)}
    out["active"] = act = {"model_version": active.version, **figures(oa, auto_a, target_precision)}
    fns = {"top1_accuracy": paired.top1, "top3_accuracy": paired.top3, "macro_f1": paired.macro_f1,
           "coverage_at_target": paired.coverage(target_precision)}
    n = len(holdout)
    for key, label in GATED:
        lo, hi = paired.paired_interval(fns[key], oa, oc, draws=draws)
        diff = cand[key] - act[key]
        worse, better = hi < -margin, lo > margin
        out["differences"][key] = {"candidate": cand[key], "active": act[key], "difference": diff,
                                   "interval": [lo, hi], "n": n, "significantly_worse": bool(worse),
                                   "significantly_better": bool(better)}
        if worse:
            out["reasons"].append(f"{label} {cand[key]:.3f} < {act[key]:.3f} (selisih {diff:+.3f}, interval 95 % "
                                  f"{lo:+.3f} … {hi:+.3f}, n = {n})")
    out["mcnemar_top1"] = paired.mcnemar(oa.pred == oa.truth, oc.pred == oc.truth)
    out["passed"] = not out["reasons"]
    if out["passed"] and not any(d["significantly_better"] for d in out["differences"].values()):
        widest = max(d["interval"][1] - d["interval"][0] for d in out["differences"].values())
        out["note"] = (f"tidak ada selisih yang bermakna antara kedua model pada {n} pengaduan (interval 95 % "
                       f"selebar hingga {widest:.2f})")
    return out
