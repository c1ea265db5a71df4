"""Thresholds from recent decisions: the Wilson bound keeps a lucky small sample from lowering them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline.routing.calibration import choose_threshold
from pipeline.routing.thresholds import RecentThresholds, bounded_threshold, wilson_lower


def test_wilson_lower_bound_matches_the_textbook_value():
    assert wilson_lower(np.array([95]), np.array([100]), 1.96)[0] == pytest.approx(0.8882, abs=1e-3)
    assert wilson_lower(np.array([0]), np.array([0]), 1.96)[0] == 0.0


def test_a_small_perfect_sample_does_not_earn_a_threshold_a_large_one_does():
    conf = np.linspace(0.99, 0.90, 10)
    correct = np.ones(10, dtype=bool)
    assert choose_threshold(conf, correct, 0.95, 1) == pytest.approx(0.90)  # plain precision: 10/10
    assert bounded_threshold(conf, correct, 0.95, z=1.64, min_support=1) is None  # 10 hits prove little
    conf = np.linspace(0.99, 0.50, 400)
    correct = np.r_[np.ones(300, dtype=bool), np.zeros(100, dtype=bool)]
    t = bounded_threshold(conf, correct, 0.95, z=1.64, min_support=30)
    chosen = conf >= t
    assert t < 0.99 and chosen.sum() > 300 and wilson_lower(correct[chosen].sum(), chosen.sum(), 1.64) >= 0.95


def test_a_unit_below_target_is_held_back_and_no_unit_threshold_is_lowered():
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.5, 1.0, 400)
    pred = np.array(["good"] * 300 + ["bad"] * 100, dtype=object)
    correct = np.r_[np.ones(300, dtype=bool), rng.uniform(size=100) < 0.5]
    th = RecentThresholds(target_precision=0.85, z=1.0, window=1000, unit_support=40).fit(conf, correct, pred)
    assert th.threshold_ is not None
    assert th.class_thresholds_["bad"] == math.inf and not th.auto(0.999, "bad")
    assert "good" not in th.class_thresholds_ and th.auto(th.threshold_, "good")  # the global one, never lower
    assert th.summary()["units_held_back"] == ["bad"]


def test_window_keeps_the_latest_records():
    import pandas as pd

    times = pd.date_range("2022-01-01", periods=6, freq="D")
    th = RecentThresholds(window=4, min_support=1, unit_support=100).fit([0.9] * 3, [False] * 3, ["a"] * 3, times[:3])
    th.update([0.9] * 3, [True] * 3, ["a"] * 3, times[3:])
    assert len(th.confidence_) == 4 and th.correct_.sum() == 3
