"""The memory of recent decisions: neighbour votes, recency, forgetting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pipeline.routing.memory import DecisionMemory


def rows(*vectors):
    return sp.csr_matrix(np.array(vectors, dtype=np.float32))


def test_votes_follow_the_most_similar_decisions():
    memory = DecisionMemory(k=2, min_similarity=0.5, half_life_days=None).fit(
        rows([1, 0, 0], [0.9, 0.1, 0], [0, 0, 1]), ["A", "A", "B"])
    recall = memory.transform(rows([1, 0.05, 0], [0, 1, 0]))
    assert recall.classes == ["A", "B"]
    assert recall.votes[0].tolist() == [1.0, 0.0] and recall.support[0].tolist() == [2, 0]
    assert recall.votes[1].sum() == 0 and recall.strength[1] == 0  # nothing close enough: no vote


def test_an_older_decision_weighs_less_than_a_recent_one():
    times = pd.to_datetime(["2022-01-01", "2022-06-01"])
    memory = DecisionMemory(k=2, min_similarity=0.1, half_life_days=30).fit(rows([1, 0], [1, 0]), ["old", "new"],
                                                                              times)
    recall = memory.transform(rows([1, 0]), pd.to_datetime(["2022-06-02"]))
    votes = dict(zip(recall.classes, recall.votes[0]))
    assert votes["new"] > 0.9 > votes["old"] > 0


def test_only_the_latest_decisions_are_kept():
    times = pd.to_datetime(["2022-01-01", "2022-02-01", "2022-03-01"])
    memory = DecisionMemory(max_items=2, half_life_days=None).fit(rows([1, 0]), ["first"], times[:1])
    memory.add(rows([1, 0], [0, 1]), ["second", "third"], times[1:])
    assert len(memory) == 2 and memory.classes_ == ["second", "third"]
