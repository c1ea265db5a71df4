"""The month-by-month replay (issue 16's benchmark) on the demo tenant: every replayed complaint is scored once
per variant, the per-complaint hits add up to the pooled figures, and topics first seen after training started
are grouped by their age."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.routing.adaptive import AdaptiveRouter
from pipeline.routing.memory import DecisionMemory
from pipeline.routing.new_topics import new_topic_table, topic_age
from pipeline.routing.replay import replay, table

DEMO = Path(__file__).resolve().parents[3] / "pipeline" / "tenants" / "selayar" / "complaints.csv"


def test_topic_age_counts_days_since_a_new_topics_first_complaint_and_leaves_older_topics_out():
    df = pd.DataFrame({
        "created_at": ["2025-09-30 10:00", "2025-10-02 08:00", "2025-10-12 08:00", "2025-10-03 00:00", "",
                       "2025-10-05 00:00"],
        "topic": ["lama", "lama", "baru", "baru", "baru", ""],
    }, index=[10, 11, 12, 13, 14, 15])
    age = topic_age(df, "2025-10")
    assert np.isnan(age[10]) and np.isnan(age[11])  # first seen before the replay started
    assert age[13] == 0 and age[12] == pytest.approx(9 + 8 / 24)
    assert np.isnan(age[14]) and np.isnan(age[15])  # no time, no topic


@pytest.fixture(scope="module")
def demo():
    df = pd.read_csv(DEMO, dtype=str, keep_default_na=False)
    # a topic that only exists from November on: the demo's Dinas Perhubungan complaints of Nov–Dec
    new = (df["created_at"] >= "2025-11") & (df["opd"] == "Dinas Perhubungan")
    return df.assign(topic=np.where(new, "program baru", df["opd"]))


def test_every_replayed_complaint_is_scored_once_per_variant_and_adds_up_to_the_pooled_row(demo):
    per_complaint: dict = {}
    results = replay(demo, "2025-11", {"+memory": lambda m: AdaptiveRouter(m, prefit=True, memory=DecisionMemory())},
                     router_params={"validation_folds": 1}, per_complaint=per_complaint)
    replayed = demo.index[demo["created_at"] >= "2025-11"]
    assert set(results["variant"]) == {"frozen", "retrained", "+memory"}
    assert set(results["month"]) == {"2025-11", "2025-12", "pooled"}
    pooled = results[results["month"] == "pooled"].set_index("variant")
    for name, hits in per_complaint.items():
        assert sorted(hits.index) == sorted(replayed)
        assert pooled.loc[name, "n"] == len(replayed)
        assert hits["top1"].mean() == pytest.approx(pooled.loc[name, "top1"])
        assert hits["top3"].mean() == pytest.approx(pooled.loc[name, "top3"])
        assert (hits["top3"] | ~hits["top1"]).all()  # right first means right among the first three
    assert "| +memory | pooled |" in table(results)

    shown = new_topic_table(demo, per_complaint, "2025-11")
    first = demo.groupby("topic")["created_at"].min()
    new_topics = set(first[first >= "2025-11"].index)
    assert "program baru" in new_topics
    n_new = int(demo["topic"].isin(new_topics).sum())
    counts = [int(c) for c in shown.splitlines()[-1].strip("| ").split(" | ")[1:]]
    assert sum(counts) == n_new > 0
    assert all(f"| {name} |" in shown for name in ("frozen", "retrained", "+memory"))
