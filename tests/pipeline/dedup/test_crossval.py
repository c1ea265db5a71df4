"""Cross-validation of the pair model: linked pairs stay in one fold, folds follow time, intervals bracket."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.dedup import crossval


def test_pairs_sharing_a_complaint_are_one_component():
    comp = crossval.components(pd.Series(["c", "d", "f", "c"]), pd.Series(["a", "c", "e", "b"]))
    assert comp[0] == comp[1] == comp[3] and comp[2] != comp[0]


def test_blocks_are_contiguous_in_time_and_keep_components_whole():
    comp = np.array(["x", "x", "y", "z", "z", "w", "v", "u"])
    time = np.array([5.0, 9.0, 1.0, 3.0, 20.0, 7.0, 8.0, 2.0])
    blocks = crossval.time_blocks(comp, time, blocks=3)
    for c in set(comp):
        assert len(set(blocks[comp == c])) == 1
    first = {c: time[comp == c].min() for c in set(comp)}
    order = sorted(set(comp), key=first.get)
    assert [blocks[comp == c][0] for c in order] == sorted(blocks[comp == c][0] for c in order)
    assert set(blocks) == {0, 1, 2}


def test_out_of_fold_never_scores_a_block_with_its_own_model():
    X = pd.DataFrame({"v": np.arange(6.0)})
    blocks = np.array([0, 0, 1, 1, 2, 2])
    oof = crossval.out_of_fold(X, blocks, fit=lambda part: set(part["v"]),
                               predict=lambda seen, rows: [float(v in seen) for v in rows["v"]])
    assert oof.tolist() == [0.0] * 6


def test_bootstrap_interval_brackets_the_point_estimate():
    rng = np.random.default_rng(1)
    label = rng.integers(0, 2, 300)
    flag = (label == 1) & (rng.random(300) < 0.8) | (label == 0) & (rng.random(300) < 0.1)
    comp = np.arange(300) // 2
    (p, r), ((plo, phi), (rlo, rhi)) = crossval.precision_recall(flag, label), crossval.bootstrap_interval(flag, label, comp)
    assert plo <= p <= phi and rlo <= r <= rhi and phi - plo < 0.2
