"""Evaluate a model on labelled data: metrics an analyst can compare between model versions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from pipeline.columns import InputColumns
from pipeline.model import TriageModel
from pipeline.routing.training import load_training_frame


def evaluate(model: TriageModel, data: str | Path, columns: InputColumns, chunk_size: int = 5000) -> tuple[dict, pd.DataFrame]:
    df, skipped = load_training_frame(data, columns)
    routings = []
    for start in range(0, len(df), chunk_size):
        routings.extend(model.route(df.iloc[start : start + chunk_size], explain=False))
    truth = df["opd"].to_numpy()
    pred = np.array([r.opd or "" for r in routings], dtype=object)
    top3 = np.array([t in [s.opd for s in r.top_k[:3]] for r, t in zip(routings, truth)])
    auto = np.array([r.auto_route for r in routings])
    correct = pred == truth
    labels = sorted(set(truth))
    p, r, f, support = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    known = set(model.router.labels_)
    per_unit = pd.DataFrame(
        {"unit": labels, "support": support, "precision": p, "recall": r, "f1": f,
         "in_model": [lab in known or model.router.areas_.kind_of(lab) is not None for lab in labels]}
    ).sort_values("support", ascending=False)
    metrics = {
        "model_version": model.version,
        "rows": int(len(df)),
        "rows_skipped": len(skipped),
        "accuracy": float(correct.mean()),
        "macro_f1": float(f.mean()),
        "top3_accuracy": float(top3.mean()),
        "auto_route_coverage": float(auto.mean()),
        "auto_route_precision": float(correct[auto].mean()) if auto.any() else None,
        "threshold": model.router.threshold_,
        "unseen_label_share": float(np.mean([not row for row in per_unit.set_index("unit").loc[truth, "in_model"]])),
        "per_unit": per_unit.round(4).to_dict("records"),
    }
    confidence = np.array([r.confidence for r in routings], dtype=float)
    return metrics, pd.DataFrame({"truth": truth, "pred": pred, "confidence": confidence, "auto_route": auto})


def write_report(metrics: dict, pairs: pd.DataFrame, report: str | Path, largest: int = 15) -> Path:
    """Markdown report with a confusion-matrix PNG of the largest units beside it."""
    report = Path(report)
    report.parent.mkdir(parents=True, exist_ok=True)
    png = report.with_suffix(".confusion.png")
    top_units = [u for u, _ in Counter(pairs["truth"]).most_common(largest)]
    _confusion_png(pairs, top_units, png)
    per_unit = pd.DataFrame(metrics["per_unit"])
    lines = [
        f"# Evaluation of model {metrics['model_version']}",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    for key in ("rows", "rows_skipped", "accuracy", "macro_f1", "top3_accuracy", "auto_route_coverage",
                "auto_route_precision", "threshold", "unseen_label_share"):
        value = metrics[key]
        lines.append(f"| {key} | {value:.4f} |" if isinstance(value, float) else f"| {key} | {value} |")
    lines += ["", f"![confusion matrix of the {len(top_units)} largest units]({png.name})", "",
              "## Per unit", "", "| unit | support | precision | recall | F1 | in model |", "|---|---|---|---|---|---|"]
    for row in per_unit.itertuples(index=False):
        lines.append(f"| {row.unit} | {row.support} | {row.precision:.3f} | {row.recall:.3f} | {row.f1:.3f} | "
                     f"{'yes' if row.in_model else 'no'} |")
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def _confusion_png(pairs: pd.DataFrame, units: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    other = "(lainnya)"
    truth = [t if t in units else other for t in pairs["truth"]]
    pred = [p if p in units else other for p in pairs["pred"]]
    labels = units + [other]
    cm = confusion_matrix(truth, pred, labels=labels)
    norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    size = max(6.0, 0.5 * len(labels) + 3)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    short = [u if len(u) <= 32 else u[:30] + "…" for u in labels]
    ax.set_xticks(range(len(labels)), short, rotation=70, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), short, fontsize=8)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if cm[i, j]:
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=6,
                        color="white" if norm[i, j] > 0.5 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix (row-normalised colour, counts in cells)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
