"""The CSV output grown chunk by chunk: the same bytes as a CSV written from the partial file, rebuilt on resume."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipeline.batch import OutputSpec, run_batch
from pipeline.batch.output import chunk_csv
from pipeline.batch.spec import KEPT, Layout
from pipeline.columns import InputColumns
from pipeline.writers import OutputFormat, write_rows

SPEC = OutputSpec({"label": str, "p": float, "ok": bool, "n": int, "extra": str})


@pytest.mark.parametrize("excel", [False, True])
def test_chunk_text_is_what_the_partial_file_would_give(tmp_path, excel):
    # values as process functions return them: numpy floats, tuples, formulas, None, quotes and line breaks
    records = [{"id": "1", KEPT + "text": "=1+1", "label": "@a", "p": np.float64(0.125), "ok": True, "n": 3,
                "extra": ("x", 1), "error": ""},
               {"id": "2", KEPT + "text": "biasa; \"kutip\"\nbaris", "label": "-", "p": None, "ok": False,
                "n": None, "extra": {"k": [1.5]}, "error": "row 3: x"},
               {"id": "3", KEPT + "text": "", "label": "ok", "p": float("nan"), "ok": False, "n": 0, "error": ""}]
    fmt = OutputFormat("csv", ";" if excel else ",", excel)
    layout = Layout.of(SPEC, {"text": "text"})
    stored = [json.loads(json.dumps(r)) for r in records]  # as the partial file gives them back
    for r in stored:
        r["text"] = r.pop(KEPT + "text")
    path = tmp_path / "o.csv"
    write_rows(iter(stored), path, fmt, layout.names, layout.types)
    body = chunk_csv(records, layout, fmt)
    header_len = len(path.read_bytes()) - len(body)
    assert path.read_bytes()[header_len:] == body


def _input(tmp_path, n=23):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(n)], "text": [f"=teks {i}" if i % 5 == 0 else f"teks {i}"
                                                             for i in range(n)]}).to_csv(src, index=False)
    return src


def _process(df: pd.DataFrame) -> list[dict]:
    return [{"label": t.upper(), "p": len(t) / 7, "ok": len(t) % 2 == 0, "n": len(t), "extra": ""}
            for t in df["text"]]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_interrupted_csv_is_rebuilt_from_the_partial_file_on_resume(tmp_path, workers):
    src = _input(tmp_path)
    clean = tmp_path / "clean.csv"
    run_batch(src, clean, InputColumns(), _process, SPEC, chunk_size=4, keep=["text"])
    calls = []

    def dies(df):
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt  # the run stops after three chunks
        return _process(df)

    out = tmp_path / "out.csv"
    with pytest.raises(KeyboardInterrupt):
        run_batch(src, out, InputColumns(), dies, SPEC, chunk_size=4, keep=["text"])
    body = tmp_path / "out.csv.partial.body"
    assert not out.exists() and body.exists()
    with open(body, "ab") as fh:
        fh.write(b"torn,half a row")  # the body is never trusted across runs
    summary = run_batch(src, out, InputColumns(), _process, SPEC, chunk_size=4, keep=["text"], resume=True,
                        workers=workers)
    assert summary.resumed_from == 12 and summary.rows == 23
    assert out.read_bytes() == clean.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.csv", "in.csv", "out.csv"]


def test_error_rows_are_counted_across_a_resume(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(10)], "text": ["" if i in (1, 8) else "teks" for i in range(10)]}
                 ).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    (tmp_path / "out.csv.partial.jsonl").write_text("")
    first = run_batch(src, out, InputColumns(), _process, SPEC, chunk_size=3, restart=True)
    assert first.errors == 2
    out.unlink()
    calls = []

    def dies(df):
        calls.append(1)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return _process(df)

    with pytest.raises(KeyboardInterrupt):
        run_batch(src, out, InputColumns(), dies, SPEC, chunk_size=3)
    resumed = run_batch(src, out, InputColumns(), _process, SPEC, chunk_size=3, resume=True)
    assert (resumed.resumed_from, resumed.errors) == (6, 2)
