"""Month-by-month replay of a time-ordered complaint file: how a deployed router fares as topics drift.

Training on everything before ``start``, then, for each later month: a *frozen* model (trained once)
and a model *retrained* before the month on all earlier complaints (the decided complaints the
service would hold) route that month's complaints. Adaptive variants wrap the retrained model
(:class:`~pipeline.routing.adaptive.AdaptiveRouter`) and see each week's decisions after routing it,
as operators decide complaints within days. ``benchmarks/bench_replay.py`` prints the table.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from pipeline.document import Document
from pipeline.routing.adaptive import AdaptiveRouter
from pipeline.routing.adaptive import outcomes as suggestion_outcomes
from pipeline.routing.frame import parse_times
from pipeline.routing.router import OpdRouter


def scores(truth: np.ndarray, routings) -> dict:
    """top-1, top-3, macro-F1 (over units present in ``truth``), auto-route coverage and precision."""
    pred = _predicted(routings)
    correct = pred == truth
    auto = np.array([r.auto_route for r in routings], dtype=bool)
    return {"n": int(len(truth)), "top1": float(correct.mean()), "top3": float(_in_top3(truth, routings).mean()),
            "macro_f1": float(f1_score(truth, pred, labels=sorted(set(truth)), average="macro", zero_division=0)),
            "coverage": float(auto.mean()), "precision": float(correct[auto].mean()) if auto.any() else float("nan")}


def hits(index, truth, routings) -> pd.DataFrame:
    """Per complaint: is the suggestion right (``top1``), is the right unit among the first three (``top3``)."""
    return pd.DataFrame({"top1": _predicted(routings) == np.asarray(truth, dtype=object),
                         "top3": _in_top3(truth, routings)}, index=pd.Index(index))


def _predicted(routings) -> np.ndarray:
    return np.array([r.opd or "" for r in routings], dtype=object)


def _in_top3(truth, routings) -> np.ndarray:
    return np.array([t in [s.opd for s in r.top_k[:3]] for r, t in zip(routings, truth)], dtype=bool)


class RouterCache:
    """Fitted routers on disk, keyed by training rows and parameters (re-runs skip the fits)."""

    def __init__(self, directory: str | Path | None):
        self.directory = Path(directory) if directory else None

    def fit(self, train: pd.DataFrame, params: dict) -> OpdRouter:
        key = hashlib.sha256(pd.util.hash_pandas_object(train[["text", "opd", "created_at"]]).values.tobytes()
                             + json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]
        path = self.directory / f"router-{key}.joblib" if self.directory else None
        if path is not None and path.is_file():
            return joblib.load(path)
        router = OpdRouter(**params).fit(train, train["opd"])
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            joblib.dump(router, path)
        return router


def replay(df: pd.DataFrame, start: str, variants: dict[str, Callable[[OpdRouter], AdaptiveRouter]],
           router_params: dict | None = None, cache: RouterCache | None = None, step_days: int = 7,
           log: Callable[[str], None] = lambda s: None, per_complaint: dict | None = None) -> pd.DataFrame:
    """One row per (variant, month) plus a pooled row per variant. ``variants`` build adaptive routers
    around the month's retrained model; ``frozen`` and ``retrained`` are always measured. ``per_complaint``, when
    given, receives per variant a frame of the replayed rows (``df``'s index) with ``top1`` and ``top3`` hits."""
    df = df.copy()
    df["_row"] = df.index
    df["_time"] = parse_times(df["created_at"])
    df = df[df["_time"].notna()].sort_values("_time", kind="stable").reset_index(drop=True)
    df["_month"] = df["_time"].dt.strftime("%Y-%m")
    docs = Document.many(df["text"])
    cache = cache or RouterCache(None)
    params = dict(router_params or {})
    months = sorted(m for m in df["_month"].unique() if m >= start)
    frozen = cache.fit(df[df["_month"] < start], params)
    routed: dict[str, list] = {}
    truths: dict[str, list] = {}
    rows = []
    live: dict[str, dict] = {}  # per variant: its suggestions on the months replayed so far, with outcome
    for month in months:
        train_mask = (df["_month"] < month).to_numpy()
        train = df[train_mask]
        log(f"{month}: retraining on {len(train)} complaints")
        model = frozen if month == start else cache.fit(train, params)
        test_idx = np.nonzero((df["_month"] == month).to_numpy())[0]
        test = df.iloc[test_idx]
        truth = test["opd"].to_numpy(dtype=object)
        test_docs = [docs[i] for i in test_idx]
        outcomes = {"frozen": frozen.route(test, explain=False, documents=test_docs),
                    "retrained": model.route(test, explain=False, documents=test_docs)}
        for name, build in variants.items():
            earlier = live.get(name)
            adaptive = build(model).fit(train, train["opd"], documents=[docs[i] for i in np.nonzero(train_mask)[0]],
                                        suggestions=earlier)
            outcomes[name] = _weekly(adaptive, test, test_docs, step_days)
            now = suggestion_outcomes(outcomes[name], truth, test["_time"], model.areas_)
            live[name] = now if earlier is None else {k: list(earlier[k]) + list(now[k]) for k in now}
        for name, routings in outcomes.items():
            rows.append({"variant": name, "month": month, **scores(truth, routings)})
            if per_complaint is not None:
                per_complaint.setdefault(name, []).append(hits(test["_row"], truth, routings))
            routed.setdefault(name, []).extend(routings)
            truths.setdefault(name, []).extend(truth)
        log(" | ".join(f"{r['variant']} {r['top1']:.3f}" for r in rows[-len(outcomes):]))
    for name in routed:
        rows.append({"variant": name, "month": "pooled", **scores(np.asarray(truths[name], dtype=object),
                                                                   routed[name])})
    if per_complaint is not None:
        per_complaint.update({name: pd.concat(parts) for name, parts in per_complaint.items()})
    return pd.DataFrame(rows)


def _weekly(adaptive: AdaptiveRouter, test: pd.DataFrame, docs, step_days: int) -> list:
    """Route ``test`` a week at a time; after each week its decisions are fed back."""
    out = []
    week = ((test["_time"] - test["_time"].min()).dt.days // step_days).to_numpy()
    for w in np.unique(week):
        idx = np.nonzero(week == w)[0]
        chunk, chunk_docs = test.iloc[idx], [docs[i] for i in idx]
        routings = adaptive.route(chunk, explain=False, documents=chunk_docs)
        adaptive.observe(chunk, chunk["opd"], routings, documents=chunk_docs)
        out.extend(routings)
    return out


def table(results: pd.DataFrame, targets: dict | None = None) -> str:
    """Markdown table: per variant (in the order measured) its months, then its pooled row."""
    lines = ["| variant | month | n | top-1 | top-3 | macro-F1 | coverage | precision |",
             "|---|---|---|---|---|---|---|---|"]
    order = {v: k for k, v in enumerate(dict.fromkeys(results["variant"]))}
    ranked = results.assign(_v=results["variant"].map(order), _p=results["month"] == "pooled")
    for r in ranked.sort_values(["_v", "_p", "month"], kind="stable").itertuples(index=False):
        lines.append(f"| {r.variant} | {r.month} | {r.n} | {r.top1:.3f} | {r.top3:.3f} | {r.macro_f1:.3f} | "
                     f"{r.coverage:.3f} | {r.precision:.3f} |")
    if targets:
        lines.append("| target | pooled | | {top1} | {top3} | | {coverage} | {precision} (each month ≥ {month}) |"
                     .format(**targets))
    return "\n".join(lines)
