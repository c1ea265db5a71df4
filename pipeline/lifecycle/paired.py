"""Paired statistics of two models scored on the same hold-out rows.

The evaluation gate compares a candidate with the active model on the most recent decided complaints — often a
handful in a small region. A fixed tolerance on the difference of two figures means nothing at n = 5 (one
complaint is 20 points) and is needlessly strict at n = 5,000, so "worse" is decided by the sampling error of
the *paired* difference instead:

- a paired bootstrap (the same resampled rows for both models) gives a 95 % interval of candidate − active for
  every gated figure (top-1, top-3, macro-F1, coverage at target precision); a figure counts as worse only when
  the whole interval lies below ``-margin``;
- McNemar's exact test on top-1 (the rows only one of the two got right) is shown beside it with its p-value, as
  the classical check an analyst can redo by hand.

Everything is vectorised over numpy arrays of per-row outcomes, so 2,000 draws over a hold-out of thousands of
rows take well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest

DRAWS = 2000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Outcomes:
    """Per-row outcomes of one model on the hold-out (all arrays of the hold-out's length)."""

    truth: np.ndarray  # integer code of the decided unit
    pred: np.ndarray  # integer code of the suggested unit (-1: a unit not among the truth codes)
    top3: np.ndarray  # bool: decided unit among the first three suggestions
    confidence: np.ndarray  # float: confidence of the suggestion


def top1(o: Outcomes, idx: np.ndarray) -> float:
    return float((o.pred[idx] == o.truth[idx]).mean()) if len(idx) else 0.0


def top3(o: Outcomes, idx: np.ndarray) -> float:
    return float(o.top3[idx].mean()) if len(idx) else 0.0


def macro_f1(o: Outcomes, idx: np.ndarray) -> float:
    """Macro-F1 over the units present in the (resampled) truth, as sklearn's with ``labels=set(truth)``."""
    truth, pred = o.truth[idx], o.pred[idx]
    size = int(max(truth.max(initial=-1), pred.max(initial=-1))) + 1
    if not len(truth) or size <= 0:
        return 0.0
    hit = truth == pred
    tp = np.bincount(truth[hit], minlength=size).astype(float)
    support = np.bincount(truth, minlength=size).astype(float)
    predicted = np.bincount(pred[pred >= 0], minlength=size).astype(float)
    present = support > 0
    denom = support + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros(size), where=denom > 0)
    return float(f1[present].mean())


def coverage_at_precision(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """Largest share of rows, taken by descending confidence, whose suggestions reach ``target`` precision (a
    cut-off only between different confidences: rows of equal confidence are taken together)."""
    if not len(confidence):
        return 0.0
    order = np.argsort(-confidence, kind="stable")
    conf, hits = confidence[order], np.cumsum(correct[order])
    n = np.arange(1, len(conf) + 1)
    cut = np.append(conf[:-1] > conf[1:], True)  # a cut-off may fall after row k
    ok = np.nonzero((hits / n >= target) & cut)[0]
    return float((ok[-1] + 1) / len(conf)) if len(ok) else 0.0


def coverage(target: float):
    def figure(o: Outcomes, idx: np.ndarray) -> float:
        return coverage_at_precision(o.confidence[idx], o.pred[idx] == o.truth[idx], target)
    return figure


def paired_interval(figure, a: Outcomes, b: Outcomes, *, draws: int = DRAWS, seed: int = 0,
                    confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Percentile interval of figure(b) − figure(a) over ``draws`` paired bootstrap resamples of the rows."""
    n = len(a.truth)
    if n == 0:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    diffs = np.empty(draws)
    for i in range(draws):
        idx = rng.integers(0, n, size=n)
        diffs[i] = figure(b, idx) - figure(a, idx)
    tail = (1 - confidence) / 2 * 100
    return float(np.percentile(diffs, tail)), float(np.percentile(diffs, 100 - tail))


def mcnemar(a_correct: np.ndarray, b_correct: np.ndarray) -> dict:
    """McNemar's exact test on paired top-1 outcomes: counts of rows only one model got right, two-sided p."""
    only_b = int((b_correct & ~a_correct).sum())
    only_a = int((a_correct & ~b_correct).sum())
    discordant = only_a + only_b
    p = float(binomtest(only_b, discordant, 0.5).pvalue) if discordant else 1.0
    return {"n": int(len(a_correct)), "candidate_only_correct": only_b, "active_only_correct": only_a,
            "p_value": p}
