"""Two models side by side on one labelled hold-out: the analyst's table, the winner and by how much.

Both models are scored by :func:`pipeline.routing.evaluate.evaluate` on the same rows. Besides its metrics,
each gets *coverage at target precision*: the largest share of the hold-out that could be auto-routed, most
confident first, while precision on it stays at or above the target — a comparison that does not depend on
the threshold each model chose for itself. The winner is the higher macro-F1 (every unit counts alike), with a
paired bootstrap interval of the top-1 difference so a lucky split is visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import DataError
from pipeline.columns import InputColumns
from pipeline.model import TriageModel
from pipeline.routing.evaluate import evaluate
from pipeline.routing.frame import parse_times
from pipeline.routing.training import load_training_frame
from pipeline.artifacts import sha256_file

ROWS = (("top-1 accuracy", "accuracy"), ("top-3 accuracy", "top3_accuracy"), ("macro-F1", "macro_f1"),
        ("coverage at target precision", "coverage_at_target"), ("own threshold: coverage", "auto_route_coverage"),
        ("own threshold: precision", "auto_route_precision"))


def coverage_at_precision(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """Largest share of rows that, taken most confident first, keeps precision ≥ ``target``."""
    if len(confidence) == 0:
        return 0.0
    order = np.argsort(-confidence, kind="stable")
    hits = np.cumsum(correct[order])
    precision = hits / np.arange(1, len(order) + 1)
    ok = np.nonzero(precision >= target)[0]
    return float((ok[-1] + 1) / len(order)) if len(ok) else 0.0


def bootstrap_difference(a: np.ndarray, b: np.ndarray, n: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95 % paired bootstrap interval of mean(b) − mean(a) (per-row correctness of two models)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(n, len(a)))
    diffs = b[idx].mean(axis=1) - a[idx].mean(axis=1)
    return float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))


@dataclass
class Comparison:
    names: tuple[str, str]
    metrics: tuple[dict, dict]
    per_unit: pd.DataFrame  # unit, support, f1_a, f1_b, change
    top1_interval: tuple[float, float]
    target_precision: float
    warnings: list[str] = field(default_factory=list)

    @property
    def winner(self) -> int | None:
        a, b = (m["macro_f1"] for m in self.metrics)
        if abs(b - a) < 1e-9:
            return None
        return 1 if b > a else 0


def _leak_warnings(models: tuple[TriageModel, TriageModel], names, data: Path, columns: InputColumns) -> list[str]:
    """Refuse a hold-out that is a model's own training file; warn when its dates overlap a model's training."""
    digest = sha256_file(data)
    out = []
    df, _ = load_training_frame(data, columns)
    times = parse_times(df["created_at"])
    for model, name in zip(models, names):
        trained = model.manifest.get("training_data") or {}
        if trained.get("sha256") == digest:
            raise DataError(f"{data}: this is the training data of model {name}; compare on a later hold-out "
                            "(rows the models never saw)")
        rng = trained.get("time_range") or []
        end = pd.to_datetime(rng[1], errors="coerce") if len(rng) == 2 else pd.NaT
        if pd.notna(end) and times.notna().any():
            share = float((times <= end).mean())
            if share > 0:
                out.append(f"{share:.0%} of the hold-out is dated on or before the end of {name}'s training data "
                           f"({end:%Y-%m-%d}): those rows may be training rows, so {name} may look better than it is")
    return out


def compare(model_a: str | Path, model_b: str | Path, data: str | Path, columns: InputColumns,
            target_precision: float = 0.95) -> Comparison:
    names = (Path(model_a).name or str(model_a), Path(model_b).name or str(model_b))
    if names[0] == names[1]:
        names = (str(model_a), str(model_b))
    models = (TriageModel.load(model_a), TriageModel.load(model_b))
    warnings = _leak_warnings(models, names, Path(data), columns)
    results = [evaluate(m, data, columns) for m in models]
    metrics = []
    correct = []
    for m, pairs in results:
        ok = (pairs["truth"] == pairs["pred"]).to_numpy()
        m["coverage_at_target"] = coverage_at_precision(pairs["confidence"].to_numpy(), ok, target_precision)
        metrics.append(m)
        correct.append(ok.astype(float))
    units = [pd.DataFrame(m["per_unit"]).set_index("unit")[["support", "f1"]] for m in metrics]
    per_unit = units[0].add_suffix("_a").join(units[1].add_suffix("_b"), how="outer").fillna(0.0)
    per_unit["support"] = per_unit[["support_a", "support_b"]].max(axis=1).astype(int)
    per_unit["change"] = per_unit["f1_b"] - per_unit["f1_a"]
    per_unit = per_unit.reset_index()[["unit", "support", "f1_a", "f1_b", "change"]]
    return Comparison(names, (metrics[0], metrics[1]), per_unit, bootstrap_difference(*correct), target_precision,
                      warnings)


def _value(v) -> str:
    return "–" if v is None else f"{v:.3f}"


def render(c: Comparison, largest_changes: int = 10) -> str:
    """The side-by-side table, the largest per-unit changes and the verdict, as plain text."""
    a, b = c.names
    ma, mb = c.metrics
    width = max(len(label) for label, _ in ROWS) + 2
    lines = [f"hold-out: {ma['rows']} rows ({ma['rows_skipped']} skipped); target precision {c.target_precision:.0%}",
             f"{'metric':<{width}}{'A ' + a:>22}{'B ' + b:>22}{'B − A':>10}"]
    for label, key in ROWS:
        va, vb = ma.get(key), mb.get(key)
        diff = f"{vb - va:+.3f}" if va is not None and vb is not None else "–"
        lines.append(f"{label:<{width}}{_value(va):>22}{_value(vb):>22}{diff:>10}")
    changed = c.per_unit.reindex(c.per_unit["change"].abs().sort_values(ascending=False).index)
    changed = changed[changed["change"].abs() > 0].head(largest_changes)
    if len(changed):
        lines += ["", f"largest per-unit F1 changes (B − A), of {len(c.per_unit)} units:"]
        for row in changed.itertuples(index=False):
            lines.append(f"  {row.change:+.3f}  {row.unit} (support {row.support}: {row.f1_a:.3f} → {row.f1_b:.3f})")
    lo, hi = c.top1_interval
    lines.append("")
    if c.winner is None:
        lines.append("verdict: a tie on macro-F1")
    else:
        win, lose = (mb, ma) if c.winner == 1 else (ma, mb)
        sign = 1 if c.winner == 1 else -1
        lines.append(f"verdict: {c.names[c.winner]} wins: macro-F1 {win['macro_f1']:.3f} vs {lose['macro_f1']:.3f} "
                     f"({win['macro_f1'] - lose['macro_f1']:+.3f}), top-1 {sign * (mb['accuracy'] - ma['accuracy']):+.1%}"
                     f" (95 % bootstrap interval of B − A: {lo:+.1%} … {hi:+.1%}), coverage at "
                     f"{c.target_precision:.0%} precision "
                     f"{sign * (mb['coverage_at_target'] - ma['coverage_at_target']):+.1%}")
    lines += [f"warning: {w}" for w in c.warnings]
    return "\n".join(lines)
