"""The screener's threshold search: F1 of the whole decision, the middle of the near-best plateau."""

from __future__ import annotations

import numpy as np

from pipeline.screening.threshold import GRID, plateau_middle, search_threshold


def test_plateau_middle_prefers_the_stable_middle_over_a_lone_best_point():
    assert plateau_middle([0.1, 0.5, 0.9, 0.5]) == 2
    assert plateau_middle([0.80, 0.899, 0.900, 0.899, 0.5]) == 2
    assert plateau_middle([0.9, 0.9, 0.9, 0.9, 0.1]) == 2
    assert plateau_middle([0.90, 0.8995, 0.7, 0.8999, 0.9]) == 3  # near-best points need not be adjacent


def test_search_finds_the_threshold_that_separates_the_scores():
    oof = np.array([0.1, 0.2, 0.3, 0.45, 0.55, 0.6, 0.8, 0.9])
    target = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    threshold, f1 = search_threshold(lambda k, score, t: score >= t, oof, target)
    assert f1 == 1.0 and 0.45 < threshold <= 0.55 and threshold in GRID


def test_search_is_for_the_decision_not_the_model_alone():
    # row 0 is a positive the rules always catch: no threshold needs to reach its low model score
    oof = np.array([0.05, 0.3, 0.62, 0.66, 0.2])
    target = np.array([1, 0, 1, 1, 0])
    rules = {0}
    threshold, f1 = search_threshold(lambda k, score, t: k in rules or score >= t, oof, target)
    assert f1 == 1.0 and 0.3 < threshold <= 0.62
    model_only, f1_model = search_threshold(lambda k, score, t: score >= t, oof, target)
    assert f1_model < 1.0
