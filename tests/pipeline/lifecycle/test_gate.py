"""The evaluation gate: "worse" means significantly worse on the same hold-out, with n and the interval shown."""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures.fakes import ScriptedModel

from pipeline.lifecycle.gate import GATED, compare

UNITS = ["Dinas PU", "Dinas Kesehatan", "Dinas Pendidikan", "Kelurahan Benteng"]


def holdout(n: int) -> pd.DataFrame:
    return pd.DataFrame({"text": [f"pengaduan {i}" for i in range(n)], "opd": [UNITS[i % 4] for i in range(n)],
                         "created_at": pd.date_range("2026-01-01", periods=n, freq="h").astype(str)})


def model(version: str, df: pd.DataFrame, wrong: set[int]) -> ScriptedModel:
    answers = {}
    for i, (text, unit) in enumerate(zip(df["text"], df["opd"])):
        other = UNITS[(UNITS.index(unit) + 1) % 4]
        answers[text] = (other, 0.6, [unit, UNITS[(UNITS.index(unit) + 2) % 4]]) if i in wrong else \
            (unit, 0.6 + 0.3 * (i % 2), [other])
    return ScriptedModel(version, answers)


def test_one_complaint_worse_on_five_is_not_significantly_worse():
    df = holdout(5)
    out = compare(model("cand", df, {0, 1}), model("act", df, {0}), df, draws=500)
    assert out["candidate"]["top1_accuracy"] == 0.6 and out["active"]["top1_accuracy"] == 0.8
    top1 = out["differences"]["top1_accuracy"]
    assert top1["n"] == 5 and top1["interval"][0] < -0.2 < 0 <= top1["interval"][1]
    assert top1["difference"] == pytest.approx(-0.2) and not top1["significantly_worse"]
    assert out["passed"] is True and out["reasons"] == [] and "5 pengaduan" in out["note"]
    assert out["mcnemar_top1"] == {"n": 5, "candidate_only_correct": 0, "active_only_correct": 1, "p_value": 1.0}


def test_a_real_drop_on_a_large_holdout_fails_the_gate_with_its_interval():
    df = holdout(400)
    out = compare(model("cand", df, set(range(0, 400, 5))), model("act", df, set(range(0, 400, 20))), df,
                  draws=500)
    top1 = out["differences"]["top1_accuracy"]
    assert top1["difference"] == pytest.approx(-0.15) and top1["interval"][1] < 0 and top1["significantly_worse"]
    assert out["passed"] is False
    assert any(r.startswith("top-1 0.800 < 0.950") and "n = 400" in r and "interval 95 %" in r
               for r in out["reasons"])
    assert out["mcnemar_top1"]["active_only_correct"] == 60 and out["mcnemar_top1"]["p_value"] < 1e-9
    assert set(out["differences"]) == {k for k, _ in GATED}


def test_the_same_model_passes_with_zero_intervals_and_the_method_named():
    df = holdout(40)
    m = model("act", df, {3, 7})
    out = compare(m, m, df, draws=200)
    assert out["passed"] is True and all(d["interval"] == [0.0, 0.0] for d in out["differences"].values())
    assert out["method"]["draws"] == 200 and out["method"]["confidence"] == 0.95
    assert out["holdout"]["n"] == 40 and out["candidate"]["n"] == 40


def test_nothing_to_compare_on_is_no_verdict():
    df = holdout(5)
    out = compare(model("cand", df, set()), None, df)
    assert out["passed"] is None and out["reasons"] and out["differences"] == {}
