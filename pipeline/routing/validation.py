"""Time-based validation: recency weights, rolling-origin hold-out folds, and what they measure.

A deployed model meets next month's complaints, so the hold-out is the latest
``validation_fraction`` of complaints (by time), cut into consecutive blocks, each predicted by a
model trained on everything before it. The temperature and the auto-route thresholds are chosen
on these blocks (:mod:`pipeline.routing.calibration`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.routing.calibration import choose_threshold, choose_unit_thresholds, fit_temperature_folds


def recency_weights(times: pd.Series, half_life_days: float | None) -> np.ndarray:
    """A complaint ``half_life_days`` older than the newest counts half (topics drift)."""
    if not half_life_days or times.isna().all():
        return np.ones(len(times))
    age = (times.max() - times).dt.total_seconds().fillna(0).to_numpy() / 86400.0
    return np.power(0.5, age / float(half_life_days))


def time_folds(times: pd.Series, fraction: float, n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Rolling-origin folds over the latest ``fraction`` of complaints.

    Fold k trains on everything before its block and validates on the block, as a deployed model
    would meet the next weeks' complaints. Several folds make the threshold robust to drift.
    """
    n = len(times)
    n_val = int(round(n * fraction))
    n_folds = max(1, int(n_folds))
    if not fraction or n_val < 10 * n_folds or n - n_val < 20:
        return []
    keys = times.to_numpy(dtype="datetime64[ns]").view("int64")  # NaT is the smallest int64
    order = np.argsort(keys, kind="stable")  # undated rows train; the latest dated rows validate
    bounds = np.linspace(n - n_val, n, n_folds + 1).round().astype(int)
    return [(np.sort(order[:lo]), np.sort(order[lo:hi])) for lo, hi in zip(bounds[:-1], bounds[1:])]


def validate(router, folds, df: pd.DataFrame, y: np.ndarray, times: pd.Series) -> dict:
    """Fit ``router``'s temperature on all folds, choose its thresholds, and report the hold-out figures.

    ``folds`` holds, per fold, (classes of the model trained before the block, its scores on the
    block, the block's row indices). Sets ``temperature_``, ``threshold_`` and ``class_thresholds_``.
    """
    areas = router.areas_
    fitted_classes = router.classes_
    pooled_scores, pooled_idx, per_fold = [], [], []
    for classes, scores, val_idx in folds:
        index = {c: i for i, c in enumerate(classes)}
        target = [index.get(areas.to_class(v), -1) for v in y[val_idx]]
        known = np.array([t >= 0 for t in target])
        pooled_scores.append(scores[known])
        pooled_idx.append(np.array(target)[known])
        per_fold.append((classes, scores, val_idx, known))
    if sum(len(i) for i in pooled_idx) >= 5:
        router.temperature_ = fit_temperature_folds(pooled_scores, pooled_idx)

    correct_all, top3_all, conf_all, known_all, thresholds, pred_all = [], [], [], [], [], []
    for classes, scores, val_idx, known in per_fold:
        router.classes_ = classes
        routings = router._routings(df.iloc[val_idx], scores, explain=False)
        truth = y[val_idx]
        correct = np.array([r.opd == t for r, t in zip(routings, truth)])
        conf = np.array([r.confidence for r in routings])
        thresholds.append(choose_threshold(conf, correct, router.target_precision,
                                           max(1, router.min_auto_route_support // len(folds))))
        correct_all.append(correct)
        conf_all.append(conf)
        pred_all.append(np.array([areas.to_class(r.opd or "") for r in routings], dtype=object))
        known_all.append(known)
        top3_all.append(np.array([t in [s.opd for s in r.top_k[:3]] for r, t in zip(routings, truth)]))
    router.classes_ = fitted_classes
    correct, conf = np.concatenate(correct_all), np.concatenate(conf_all)
    # pooled over folds, with a safety margin: validation precision overstates later precision
    target = min(1.0, router.target_precision + router.threshold_margin)
    router.threshold_ = choose_threshold(conf, correct, target, router.min_auto_route_support)
    # units whose own hold-out suggestions reach the target at a lower confidence get their own threshold:
    # each kept unit meets the target, so the auto-routed whole does too
    pred = np.concatenate(pred_all)
    router.class_thresholds_ = choose_unit_thresholds(conf, correct, pred, target, router.class_threshold_support,
                                                      router.threshold_)
    auto = np.array([router._auto(c, p) for c, p in zip(conf, pred)], dtype=bool)
    val_times = times.iloc[np.concatenate([f[2] for f in folds])]
    # the out-of-sample suggestions themselves: recent-decision thresholds start from them after a retrain
    router.holdout_ = {"confidence": conf, "correct": correct, "predicted": pred,
                       "time": val_times.to_numpy(dtype="datetime64[ns]")}
    return {
        "split": "time",
        "folds": len(folds),
        "n_validation": int(len(correct)),
        "validation_from": str(val_times.min()) if val_times.notna().any() else None,
        "validation_to": str(val_times.max()) if val_times.notna().any() else None,
        "top1_accuracy": float(correct.mean()),
        "top3_accuracy": float(np.concatenate(top3_all).mean()),
        "unseen_label_share": float((~np.concatenate(known_all)).mean()),
        "temperature": router.temperature_,
        "target_precision": router.target_precision,
        "fold_thresholds": thresholds,
        "threshold": router.threshold_,
        "unit_thresholds": router.class_thresholds_,
        "auto_route_coverage": float(auto.mean()),
        "auto_route_precision": float(correct[auto].mean()) if auto.any() else None,
    }
