"""Worker processes parse their own CSV slices: the output is the single process's, byte for byte — with
malformed rows, quoted line breaks, blank lines, a resumed run after a torn partial line, and any chunk size."""

from __future__ import annotations

import pytest

from pipeline.batch import OutputSpec, run_batch
from pipeline.columns import InputColumns

SPEC = OutputSpec({"label": str, "n": int})


def _process(df) -> list[dict]:
    return [{"label": t.upper()[:12], "n": len(t)} for t in df["text"]]


def _input(tmp_path):
    rows = ["id,text,kelurahan,created_at"]
    for i in range(61):
        if i % 17 == 3:
            rows.append(f"b{i},teks, dengan koma,Benteng,2022-01-01")  # one field too many: an error row
        elif i % 11 == 5:
            rows.append(f'b{i},"baris satu\nbaris dua ""kutip""",Benteng,kemarin')  # a line break, a bad date
        elif i % 13 == 7:
            rows.append("")  # a blank line is not a row
        else:
            rows.append(f"b{i},=teks {i},Bontobangun,2022-03-0{1 + i % 9} 08:15")
    src = tmp_path / "in.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return src


def _run(src, out, workers, chunk_size, **kw):
    return run_batch(src, out, InputColumns(), _process, SPEC, chunk_size=chunk_size, workers=workers, keep=None,
                     **kw)


@pytest.mark.parametrize("chunk_size", [1, 4, 25, 1000])
def test_two_workers_write_the_single_process_bytes(tmp_path, chunk_size):
    src = _input(tmp_path)
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    s1 = _run(src, one, 1, chunk_size)
    s2 = _run(src, two, 2, chunk_size)
    assert one.read_bytes() == two.read_bytes()
    assert (s1.rows, s1.errors) == (s2.rows, s2.errors) and s1.errors > 0
    assert b"file lines" not in one.read_bytes() and b"fields where the header has 4" in one.read_bytes()


def _interrupted(df) -> list[dict]:
    if "b40" in set(df["id"]):
        raise KeyboardInterrupt  # a killed run: not an error of a row, so it stops the run
    return _process(df)


def test_a_resumed_run_with_workers_continues_after_the_torn_line(tmp_path):
    src = _input(tmp_path)
    whole, part = tmp_path / "whole.csv", tmp_path / "part.csv"
    _run(src, whole, 1, 4)
    with pytest.raises(KeyboardInterrupt):
        run_batch(src, part, InputColumns(), _interrupted, SPEC, chunk_size=4, keep=None)
    partial = part.with_name(part.name + ".partial.jsonl")
    done = partial.read_bytes()
    assert done.count(b"\n") > 4
    partial.write_bytes(done[:-9])  # the last line torn
    summary = _run(src, part, 2, 4, resume=True)
    assert summary.resumed_from == done.count(b"\n") - 1 and summary.rows == _run(src, whole, 1, 7).rows
    assert part.read_bytes() == whole.read_bytes()
    assert not partial.exists()
