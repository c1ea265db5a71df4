"""Batch output: every format staff open, safe in spreadsheets, and one-line errors for bad output paths."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re

import pandas as pd
import pytest

from pipeline.cli import main


def _backlog(tmp_path, rows: list[tuple[str, str]], name: str = "in.csv"):
    src = tmp_path / name
    pd.DataFrame({"id": [r[0] for r in rows], "text": [r[1] for r in rows], "kelurahan": "Benteng",
                  "kecamatan": "Benteng", "created_at": "2025-03-01 08:00:00"}).to_csv(src, index=False)
    return src


ROWS = [("A1", "Jalan rusak berlubang di depan pasar"), ("A2", "=HYPERLINK(\"http://x\",\"klik\") air mati"),
        ("A3", ""), ("A4", "-lampu jalan mati sejak minggu lalu"), ("A5", "@admin sampah belum diangkut")]


def test_predict_writes_xlsx_with_one_row_per_input_in_order(tmp_path, demo_model):
    from openpyxl import load_workbook

    out = tmp_path / "routed.xlsx"
    assert main(["predict", "--model", str(demo_model), "--in", str(_backlog(tmp_path, ROWS)), "--out", str(out)]) == 0
    ws = load_workbook(out, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:6] == ["id", "text", "kecamatan", "kelurahan", "created_at", "opd"]
    assert {"opd_2", "p_2", "opd_3", "p_3", "top_k", "error"} <= set(header)
    got = [dict(zip(header, r)) for r in rows[1:]]
    assert [r["id"] for r in got] == ["A1", "A2", "A3", "A4", "A5"]
    assert got[1]["text"].startswith("'=HYPERLINK")  # a complaint never becomes a formula
    assert got[3]["text"].startswith("'-lampu") and got[4]["text"].startswith("'@admin")
    assert got[2]["error"] == "row 4: column 'text' is empty"
    top = json.loads(got[0]["top_k"])
    assert got[0]["opd_2"] == top[1]["opd"] and got[0]["p_2"] == top[1]["p"] and got[0]["opd_3"] == top[2]["opd"]


def test_xlsx_continues_on_a_second_sheet_past_the_row_limit(tmp_path):
    from openpyxl import load_workbook

    from pipeline import writers

    out = tmp_path / "o.xlsx"
    rows = [{"id": str(i), "error": ""} for i in range(7)]
    writers._write_xlsx(iter(rows), out, writers.OutputFormat("xlsx"), ["id", "error"], {}, max_rows=3)
    wb = load_workbook(out, read_only=True)
    sheets = [[r[0] for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]
    assert sheets == [["id", "0", "1"], ["id", "2", "3"], ["id", "4", "5"], ["id", "6"]]
    assert wb.sheetnames == ["hasil", "hasil_2", "hasil_3", "hasil_4"]


def test_excel_csv_has_semicolons_decimal_commas_and_a_bom(tmp_path, demo_model):
    out = tmp_path / "routed.csv"
    assert main(["predict", "--model", str(demo_model), "--in", str(_backlog(tmp_path, ROWS)), "--out", str(out),
                 "--excel"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    got = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert got["id"].tolist() == ["A1", "A2", "A3", "A4", "A5"]
    assert got.loc[0, "confidence"].startswith("0,") and "." not in got.loc[0, "confidence"]
    assert got.loc[1, "text"].startswith("'=")


def test_plain_csv_is_spreadsheet_safe_too_and_keep_chooses_the_columns(tmp_path, demo_model):
    out = tmp_path / "routed.csv"
    assert main(["predict", "--model", str(demo_model), "--in", str(_backlog(tmp_path, ROWS)), "--out", str(out),
                 "--keep", "text"]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got.columns[:3]) == ["id", "text", "opd"] and got.loc[4, "text"].startswith("'@")


def test_unsupported_output_is_refused_before_any_row_is_processed(tmp_path, demo_model, capsys):
    out = tmp_path / "routed.docx"
    assert main(["predict", "--model", str(demo_model), "--in", str(_backlog(tmp_path, ROWS)), "--out", str(out)]) == 2
    assert "cannot write '.docx' output" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [tmp_path / "in.csv"]


def test_out_equal_to_in_is_refused_and_the_input_is_unchanged(tmp_path, demo_model, capsys):
    src = _backlog(tmp_path, ROWS)
    before = src.read_bytes()
    for same in (str(src), str(tmp_path / "." / "in.csv")):
        assert main(["predict", "--model", str(demo_model), "--in", str(src), "--out", same]) == 2
        assert "--out is the input file" in capsys.readouterr().err
    assert src.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_a_bad_output_path_is_one_line(tmp_path, demo_model, capsys):
    (tmp_path / "afile").write_text("x")
    assert main(["predict", "--model", str(demo_model), "--in", str(_backlog(tmp_path, ROWS)),
                 "--out", str(tmp_path / "afile" / "out.csv")]) == 4
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("error: ") and "Traceback" not in err


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "disk is full"), (errno.EROFS, "read-only"),
                                         (errno.EACCES, "permission denied")])
def test_disk_full_and_unwritable_outputs_are_one_line(tmp_path, demo_model, capsys, monkeypatch, code, words):
    real_fsync = os.fsync

    def failing_fsync(fd):
        raise OSError(code, os.strerror(code), str(tmp_path / "out.csv.partial.jsonl"))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    assert main(["predict", "--model", str(demo_model), "--in", str(_backlog(tmp_path, ROWS)),
                 "--out", str(tmp_path / "out.csv")]) == 4
    monkeypatch.setattr(os, "fsync", real_fsync)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0] and "out.csv.partial.jsonl" in err[0]


def test_a_partial_run_without_resume_asks_for_resume_or_restart(tmp_path, demo_model, capsys):
    src, out = _backlog(tmp_path, ROWS), tmp_path / "out.csv"
    (tmp_path / "out.csv.partial.jsonl").write_text(json.dumps({"id": "A1", "error": ""}) + "\n")
    assert main(["predict", "--model", str(demo_model), "--in", str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--resume" in err and "--restart" in err and "1 rows done" in err
    assert (tmp_path / "out.csv.partial.jsonl").exists() and not out.exists()
    assert main(["predict", "--model", str(demo_model), "--in", str(src), "--out", str(out), "--restart"]) == 0
    assert pd.read_csv(out, dtype=str)["id"].tolist() == ["A1", "A2", "A3", "A4", "A5"]


def test_output_files_follow_the_umask(tmp_path, demo_model):
    old = os.umask(0o022)
    try:
        out = tmp_path / "out.jsonl"
        assert main(["predict", "--model", str(demo_model), "--in", str(_backlog(tmp_path, ROWS)),
                     "--out", str(out)]) == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_a_semicolon_csv_from_indonesian_excel_is_read_into_its_columns(tmp_path, demo_model):
    src = tmp_path / "ekspor.csv"
    src.write_bytes("\ufeffid;text;kelurahan\nS1;Air PDAM mati, sudah 3 hari;Benteng\nS2;Jalan rusak;Benteng\n"
                    .encode("utf-8"))
    out = tmp_path / "out.jsonl"
    assert main(["predict", "--model", str(demo_model), "--in", str(src), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["text"], r["kelurahan"], r["error"]) for r in rows] == [
        ("S1", "Air PDAM mati, sudah 3 hari", "Benteng", ""), ("S2", "Jalan rusak", "Benteng", "")]


def test_unreadable_date_is_reported_on_its_row_and_the_row_still_triaged(tmp_path, demo_model):
    src = tmp_path / "dates.csv"
    pd.DataFrame({"id": ["D1", "D2", "D3"], "text": ["Jalan rusak berlubang di depan pasar"] * 3,
                  "kelurahan": "Benteng", "kecamatan": "Benteng",
                  "tanggal": ["2025-03-01 08:00:00", "kemarin", ""]}).to_csv(src, index=False, sep=";")
    out = tmp_path / "routed.csv"
    assert main(["predict", "--model", str(demo_model), "--in", str(src), "--out", str(out),
                 "--time-col", "tanggal"]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["warning"].tolist() == [
        "", "row 3: column 'tanggal': 'kemarin' is not a date (e.g. 2022-03-01 08:15:00); the row was triaged "
            "without it", ""]
    assert got["error"].tolist() == ["", "", ""] and all(got["opd"])  # triaged, not dropped
    assert got["tanggal"].tolist()[1] == "kemarin"  # the value itself is kept as given


def test_progress_bar_shows_the_total_and_an_eta(tmp_path, demo_model, capsys):
    src = _backlog(tmp_path, [(f"P{i}", "Jalan rusak berlubang di depan pasar") for i in range(7)])
    assert main(["predict", "--model", str(demo_model), "--in", str(src), "--out", str(tmp_path / "o.csv"),
                 "--progress"]) == 0
    bar = capsys.readouterr().err.replace("\r", "\n")
    assert "0/7 [" in bar  # rows done of the total, from the start
    assert re.search(r"7/7 \[\d\d:\d\d<\d\d:\d\d", bar), bar  # elapsed<remaining: the ETA


def test_csv_cells_are_written_as_the_cell_rules_say(tmp_path):
    from pipeline.writers import OutputFormat, _csv_value, write_rows

    rows = [{"id": "1", "text": "=1+1", "p": 0.25, "ok": True, "n": None, "error": ""},
            {"id": "2", "text": "biasa; \"kutip\"\nbaris", "p": 1e-05, "ok": False, "n": 3, "error": "row 3: x"}]
    for excel in (False, True):
        fmt = OutputFormat("csv", ";" if excel else ",", excel)
        path = tmp_path / f"o{excel}.csv"
        columns = ["id", "text", "p", "ok", "n", "error"]
        assert write_rows(iter(rows), path, fmt, columns, {}) == 1
        expected = io.StringIO()
        w = csv.writer(expected, delimiter=fmt.delimiter)
        w.writerow(columns)
        w.writerows([[_csv_value(r.get(c), excel) for c in columns] for r in rows])
        assert path.read_bytes().decode("utf-8-sig" if excel else "utf-8") == expected.getvalue()
