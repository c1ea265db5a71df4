"""``compare``: two models on a later hold-out, the analyst's table and the verdict."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.columns import InputColumns
from pipeline.routing.compare import bootstrap_difference, coverage_at_precision
from pipeline.routing.training import train_router


def test_coverage_at_precision_takes_the_most_confident_first():
    confidence = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    correct = np.array([True, True, False, True, False])
    assert coverage_at_precision(confidence, correct, 1.0) == pytest.approx(0.4)
    assert coverage_at_precision(confidence, correct, 0.75) == pytest.approx(0.8)
    assert coverage_at_precision(confidence, correct, 0.5) == pytest.approx(1.0)
    assert coverage_at_precision(confidence, ~correct & False, 0.5) == 0.0


def test_bootstrap_interval_brackets_the_difference():
    a = np.array([1.0] * 50 + [0.0] * 50)
    b = np.array([1.0] * 80 + [0.0] * 20)
    lo, hi = bootstrap_difference(a, b)
    assert lo < 0.3 < hi and lo > 0


@pytest.fixture(scope="module")
def split(tmp_path_factory, demo_dir):
    """Two models trained on the demo tenant's earlier complaints; the latest 25 % held out."""
    root = tmp_path_factory.mktemp("compare")
    df = pd.read_csv(demo_dir / "complaints.csv").sort_values("created_at")
    cut = int(len(df) * 0.75)
    df.iloc[:cut].to_csv(root / "train.csv", index=False)
    df.iloc[cut:].to_csv(root / "holdout.csv", index=False)
    cols = InputColumns(label="opd")
    train_router(root / "train.csv", root / "strong", cols, gazetteer=demo_dir / "areas.csv", units=demo_dir / "units.csv")
    train_router(root / "train.csv", root / "weak", cols, router_params={"C": 0.001, "min_df": 5,
                                                                          "max_char_features": 50})
    return root


def test_compare_prints_the_table_and_the_winner(split, capsys):
    assert main(["compare", "--models", str(split / "weak"), str(split / "strong"),
                 "--data", str(split / "holdout.csv")]) == 0
    out = capsys.readouterr().out
    for label in ("top-1 accuracy", "top-3 accuracy", "macro-F1", "coverage at target precision",
                  "largest per-unit F1 changes"):
        assert label in out, out
    verdict = [line for line in out.splitlines() if line.startswith("verdict:")]
    assert verdict and verdict[0].startswith("verdict: strong wins: macro-F1"), out
    assert "warning:" not in out


def test_compare_json_and_symmetry(split, capsys):
    assert main(["compare", "--models", str(split / "strong"), str(split / "weak"), "--json",
                 "--data", str(split / "holdout.csv")]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["winner"] == "strong" and got["models"] == ["strong", "weak"]
    a, b = got["metrics"]
    assert a["macro_f1"] > b["macro_f1"] and 0 <= a["coverage_at_target"] <= 1
    assert {"unit", "support", "f1_a", "f1_b", "change"} <= set(got["per_unit"][0])


def test_compare_refuses_training_data_and_warns_on_overlap(split, capsys, tmp_path):
    assert main(["compare", "--models", str(split / "weak"), str(split / "strong"),
                 "--data", str(split / "train.csv")]) != 0
    assert "training data of model" in capsys.readouterr().err
    mixed = pd.concat([pd.read_csv(split / "train.csv").tail(20), pd.read_csv(split / "holdout.csv")])
    mixed.to_csv(tmp_path / "mixed.csv", index=False)
    assert main(["compare", "--models", str(split / "weak"), str(split / "strong"),
                 "--data", str(tmp_path / "mixed.csv")]) == 0
    assert "warning:" in capsys.readouterr().out
