"""Partitions of a batch input: CSV blocks cut on real record boundaries, Parquet row groups, shipped data."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.engines.partitions import plan, read_partition
from pipeline.errors import DataError
from pipeline.io import ERROR, ROW, read_table

TRICKY = (
    'id,text,created_at\n'
    '1,"baris satu, dengan koma",2026-01-01 08:00:00\n'
    '2,"dua baris\nkedua ""dikutip""\n, dan koma di baris baru",2026-01-01 09:00:00\n'
    '\n'
    '3,tiga,2026-01-02 08:00:00\n'
    '4,"empat\r\nwindows",2026-01-02 09:00:00\n'
    '5,lima,2026-01-03 08:00:00\n'
)


def _all_rows(path, rows):
    source, parts = plan(path, rows)
    frames = [read_partition(source, p) for p in parts]
    return parts, pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("rows", [1, 2, 3, 100])
def test_csv_partitions_split_on_record_boundaries_and_equal_the_local_reader(tmp_path, rows):
    path = tmp_path / "in.csv"
    path.write_bytes(TRICKY.encode("utf-8"))
    parts, got = _all_rows(path, rows)
    local = read_table(path)
    assert [p.rows for p in parts] == [min(rows, 5 - i) for i in range(0, 5, rows)]
    assert got[ROW].tolist() == local[ROW].tolist() == [0, 1, 2, 3, 4]
    for col in ("id", "text", "created_at"):
        assert got[col].tolist() == local[col].tolist()
    assert got.loc[1, "text"] == 'dua baris\nkedua "dikutip"\n, dan koma di baris baru'


def test_a_malformed_csv_row_keeps_its_place_and_shifts_nothing(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,text\n1,satu\n2,dua,lebih,banyak\n3\n4,empat\n", encoding="utf-8")
    _, got = _all_rows(path, 2)
    assert got["id"].tolist() == ["1", "", "", "4"]
    assert got[ROW].tolist() == [0, 1, 2, 3]
    assert got[ERROR].tolist()[0] == "" and got[ERROR].tolist()[3] == ""
    assert "4 fields, the header has 2" in got.loc[1, ERROR] and "1 fields" in got.loc[2, ERROR]


def test_an_unclosed_quote_is_refused_naming_the_row(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('id,text\n1,satu\n2,"dua tanpa tutup\n3,tiga\n', encoding="utf-8")
    with pytest.raises(DataError, match="row 2: a quoted field is never closed"):
        plan(path, 10)


def test_cp1252_csv_and_a_bom_are_read_like_the_local_reader(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes("\ufeffid,text\n1,caf\u00e9 rusak\n2,jalan\n".encode("utf-8"))
    _, got = _all_rows(path, 1)
    assert list(got.columns[:3]) == [ROW, "id", "text"] and got["text"].tolist() == ["caf\u00e9 rusak", "jalan"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,text\n1,caf\u00e9 rusak\n".encode("cp1252"))
    _, got = _all_rows(latin, 1)
    assert got["text"].tolist() == ["caf\u00e9 rusak"]


def test_parquet_partitions_are_row_groups_sliced_to_size(tmp_path):
    path = tmp_path / "in.parquet"
    table = pa.table({"id": [str(i) for i in range(10)], "text": [f"teks {i}" for i in range(10)],
                      "n": list(range(10))})
    pq.write_table(table, path, row_group_size=4)  # groups of 4, 4, 2
    parts, got = _all_rows(path, 3)
    assert [(p.start, p.stop, p.rows) for p in parts] == [(0, 0, 3), (0, 3, 1), (1, 0, 3), (1, 3, 1), (2, 0, 2)]
    local = read_table(path)
    assert got[ROW].tolist() == list(range(10))
    assert got["text"].tolist() == local["text"].tolist() and got["_types"].tolist() == local["_types"].tolist()


def test_other_formats_are_shipped_as_data_partitions(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "satu"}\nnot json\n{"id": "c", "text": "tiga"}\n', encoding="utf-8")
    parts, got = _all_rows(path, 2)
    assert [p.kind for p in parts] == ["data", "data"] and got[ROW].tolist() == [0, 1, 2]
    assert got[ERROR].fillna("").tolist()[1].startswith("invalid JSON")
