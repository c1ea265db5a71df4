"""Reading complaint tables: a malformed row never shifts another, rows are named as Excel numbers them."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.io import ERROR, LINE, ROW, read_table


def _write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_an_extra_unquoted_comma_in_the_first_data_row_shifts_nothing(tmp_path):
    src = _write(tmp_path / "in.csv", "id,text,kelurahan\n"
                                      "A1,Jalan rusak, berlubang,Benteng\n"
                                      "A2,Sampah menumpuk,Bontobangun\n"
                                      "A3,Lampu jalan mati,Benteng\n")
    df = read_table(src)
    assert df["id"].tolist() == ["", "A2", "A3"]
    assert df["text"].tolist()[1:] == ["Sampah menumpuk", "Lampu jalan mati"]
    assert df[LINE].tolist() == [2, 3, 4]
    assert "4 fields where the header has 3" in df[ERROR].iloc[0] and df[ERROR].iloc[1] == ""


def test_rows_are_numbered_as_excel_shows_them_with_quoted_line_breaks_and_blank_lines(tmp_path):
    src = _write(tmp_path / "in.csv", 'id,text\nA1,"baris satu\nbaris dua"\n\nA2,kedua\nA3,"a,b",extra\n')
    df = read_table(src)
    assert df["id"].tolist() == ["A1", "A2", ""]
    assert df[LINE].tolist() == [2, 4, 5]  # the quoted line break is one Excel row, the blank line is row 3
    assert df[ROW].tolist() == [0, 1, 2]


def test_an_unclosed_quote_names_the_lines_it_joins(tmp_path):
    src = _write(tmp_path / "in.csv", 'id,text\nA1,"tidak ditutup\nA2,kedua\nA3,ketiga\n')
    df = read_table(src)
    assert len(df) == 1 and "not closed" in df[ERROR].iloc[0] and "2–4" in df[ERROR].iloc[0]


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_the_separator_is_sniffed_from_the_header(tmp_path, sep):
    src = _write(tmp_path / "in.csv", f"id{sep}text{sep}nilai\nA1{sep}Jalan, rusak{sep}1,5\nA2{sep}Air mati{sep}2\n")
    df = read_table(src)
    assert df["text"].tolist() == ["Jalan, rusak", "Air mati"] and df["nilai"].tolist() == ["1,5", "2"]


def test_an_explicit_separator_wins(tmp_path):
    src = _write(tmp_path / "in.txt", "id;text,x\nA1;Jalan,1\n")
    assert [c for c in read_table(src, sep=";").columns if not c.startswith("_")] == ["id", "text,x"]


def test_duplicate_and_empty_header_names_stay_apart(tmp_path):
    df = read_table(_write(tmp_path / "in.csv", "text,text,\na,b,c\n"))
    assert [c for c in df.columns if not c.startswith("_")] == ["text", "text.1", "column_3"]


def test_predict_keeps_every_other_row_in_place_when_row_one_is_malformed(tmp_path, demo_model):
    rows = [f"B{i},Jalan rusak di Benteng nomor {i},Benteng" for i in range(2, 40)]
    src = _write(tmp_path / "in.csv", "id,text,kelurahan\nB1,Jalan rusak, berlubang,Benteng\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out.csv"
    assert main(["predict", "--model", str(demo_model), "--in", str(src), "--out", str(out)]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(got) == 39
    assert got["id"].tolist()[1:] == [f"B{i}" for i in range(2, 40)]
    assert got["error"].iloc[0].startswith("row 2: 4 fields where the header has 3")
    assert (got["error"].iloc[1:] == "").all() and (got["opd"].iloc[1:] != "").all()


def test_train_skips_and_reports_a_malformed_row_and_evaluate_scores_the_others(tmp_path, demo_dir, capsys):
    src = pd.read_csv(demo_dir / "complaints.csv", dtype=str, keep_default_na=False)
    lines = (demo_dir / "complaints.csv").read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "train.csv"
    header = lines[0].split(",")
    bad = ",".join(["X1", "teks, dengan koma lepas"] + [""] * (len(header) - 1))
    broken.write_text("\n".join([lines[0], bad, *lines[1:]]) + "\n", encoding="utf-8")
    model = tmp_path / "m"
    assert main(["train", "--data", str(broken), "--out", str(model)]) == 0
    manifest = json.loads((model / "manifest.json").read_text())
    assert manifest["training_data"]["rows_skipped"] >= 1
    assert any(e.startswith("row 2:") and "fields where the header has" in e
               for e in manifest["training_data"]["skipped_examples"])
    capsys.readouterr()
    assert main(["evaluate", "--model", str(model), "--data", str(broken), "--report", str(tmp_path / "r.md")]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["rows"] == (src["text"].str.strip() != "").sum() and metrics["rows_skipped"] >= 1


def test_a_text_over_the_limit_is_an_error_row_not_dropped(tmp_path, demo_model, monkeypatch):
    monkeypatch.setenv("LAPOR_MAX_TEXT_CHARS", "100")
    src = _write(tmp_path / "in.csv", f"id,text\nC1,{'a' * 101}\nC2,Jalan rusak di Benteng\n")
    out = tmp_path / "out.jsonl"
    assert main(["predict", "--model", str(demo_model), "--in", str(src), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["C1", "C2"]
    assert "101 characters; the limit is 100" in rows[0]["error"] and rows[1]["error"] == ""
