"""The garbage collector during a batch run: model frozen, collections paused per chunk, restored after."""

from __future__ import annotations

import gc
import weakref

import pandas as pd
import pytest

from pipeline.batch import OutputSpec, run_batch
from pipeline.columns import InputColumns
from pipeline.gcpause import after_chunk, paused_gc


class _Cycle:
    def __init__(self):
        self.me = self


def test_paused_gc_freezes_pauses_and_restores():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled() and gc.get_freeze_count() > 0
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_after_chunk_frees_the_cycles_a_chunk_left():
    with paused_gc():
        ref = weakref.ref(_Cycle())
        assert ref() is not None  # a cycle: no automatic collection frees it while paused
        after_chunk()
        assert ref() is None


@pytest.mark.parametrize("workers", [1, 2])
def test_chunks_run_with_the_collector_paused_and_it_is_back_after(tmp_path, workers):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(9)], "text": ["jalan rusak"] * 9}).to_csv(src, index=False)
    warmed = []

    def process(df: pd.DataFrame) -> list[dict]:
        # the chunk's collector state, as this (possibly forked worker) process sees it
        return [{"state": f"{gc.isenabled()}/{gc.get_freeze_count() > 0}/{bool(warmed)}"} for _ in range(len(df))]

    process.warm = lambda: warmed.append(True)
    out = tmp_path / "out.csv"
    run_batch(src, out, InputColumns(), process, OutputSpec({"state": str}), chunk_size=2, workers=workers)
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["id"].tolist() == [f"r{i}" for i in range(9)]
    assert set(got["state"]) == {"False/True/True"}  # paused, model frozen, warmed before the first chunk
    assert gc.isenabled() and gc.get_freeze_count() == 0
