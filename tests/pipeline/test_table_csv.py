"""The CSV reader in two steps (scan into slices, parse a slice) gives the rows the one-pass reader gave: same
cells, ``_row``, ``_line`` and error messages, however the file is cut, resumed, or shipped to a worker."""

from __future__ import annotations

import csv
import pickle
import random
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import DataError
from pipeline.io import ERROR, detect_encoding, read_chunks, read_units, unit_frame
from pipeline.table_csv import CsvSlice, _header_names, sniff_separator
from pipeline.table_rows import frame

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data"


# ---------------------------------------------------------------- the one-pass reader, as it was (the oracle)

class _OldTap:
    def __init__(self, fh):
        self._fh, self.lines = fh, []

    def __iter__(self):
        for line in self._fh:
            self.lines.append(line)
            yield line

    def take(self):
        lines, self.lines = self.lines, []
        return lines


def _old_problem(fields, width, sep, raw, last_line):
    shown = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(sep, repr(sep))
    first_line = last_line - len(raw) + 1
    unclosed = len(raw) > 1 and sum(line.count('"') for line in raw) % 2 == 1
    if len(fields) == width and not unclosed:
        return ""
    msg = f"{len(fields)} fields where the header has {width}"
    if len(fields) > width:
        msg += f" (an unquoted {shown} inside a cell? put the cell in double quotes)"
    if unclosed:
        msg = f"a quote '\"' is not closed; it joins file lines {first_line}–{last_line} into one row"
    return msg


def _old_frame(rows, names, errors, start, lines):
    df = frame(pd.DataFrame(rows, columns=names, dtype=object), start, lines)
    if any(errors):
        df[ERROR] = errors
    return df


def old_csv_chunks(path: Path, chunk_size: int, skip_rows: int = 0):
    encoding = detect_encoding(path)
    sep = sniff_separator(path, encoding)
    csv.field_size_limit(1 << 28)
    out = []
    with open(path, encoding=encoding, newline="") as fh:
        tap = _OldTap(fh)
        reader = csv.reader(tap, delimiter=sep, strict=False)
        header = next(reader, None)
        while header is not None and not any(f.strip() for f in header):
            header = next(reader, None)
        tap.take()
        names = _header_names(header)
        width, excel_row = len(names), reader.line_num
        rows, lines, errors, start = [], [], [], 0
        for fields in reader:
            excel_row += 1
            raw = tap.take()
            if not fields or (len(fields) == 1 and not fields[0].strip() and width > 1):
                continue
            problem = _old_problem(fields, width, sep, raw, reader.line_num)
            rows.append([""] * width if problem else fields)
            errors.append(problem)
            lines.append(excel_row)
            if len(rows) >= chunk_size:
                out.append(_old_frame(rows, names, errors, start, lines))
                start += len(rows)
                rows, errors, lines = [], [], []
        if rows:
            out.append(_old_frame(rows, names, errors, start, lines))
    if skip_rows:
        out = [c[c["_row"] >= skip_rows] for c in out]
    return [c for c in out if not c.empty]


# ---------------------------------------------------------------- inputs

def _random_csv(rng: random.Random, sep: str) -> str:
    pieces = ["a", "b c", "x" + sep + "y", 'say "hi"', "line\nbreak", "crlf\r\nbreak", " ", "", "=1+1", 'half"q']
    out = [f"  \nid{sep}text{sep}kelurahan\n" if rng.random() < 0.2 else f"id{sep}text{sep}kelurahan\n"]
    for i in range(rng.randint(1, 60)):
        roll = rng.random()
        if roll < 0.08:
            out.append(rng.choice(["\n", "\r\n", "   \n"]))  # blank lines are not rows
            continue
        fields = [str(i), rng.choice(pieces), rng.choice(pieces)]
        if roll < 0.16:
            fields.append(rng.choice(pieces))  # one field too many
        elif roll < 0.22:
            fields.pop()  # one too few
        cells = []
        for f in fields:
            if any(ch in f for ch in (sep, '"', "\n", "\r")) and rng.random() < 0.9:
                cells.append('"' + f.replace('"', '""') + '"')
            else:
                cells.append(f)
        line = sep.join(cells)
        if roll > 0.97:
            line = line.replace('"', "", 1) if '"' in line else '"' + line  # a broken or unclosed quote
        out.append(line + rng.choice(["\n", "\n", "\r\n"]))
    if rng.random() < 0.3:
        out[-1] = out[-1].rstrip("\r\n")  # no line break at the end
    return "".join(out)


def _same(a: list[pd.DataFrame], b: list[pd.DataFrame]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(x, y)


@pytest.mark.parametrize("seed", range(40))
def test_slices_give_the_rows_of_the_one_pass_reader_on_random_files(tmp_path, seed):
    rng = random.Random(seed)
    sep = rng.choice([",", ";", "\t", "|"])
    path = tmp_path / "in.csv"
    path.write_bytes(_random_csv(rng, sep).encode("utf-8"))
    try:
        expected = old_csv_chunks(path, chunk_size=5)
    except StopIteration:  # pragma: no cover - every file has a header
        pytest.skip("no header")
    if not expected:
        with pytest.raises(DataError):
            list(read_chunks(path, chunk_size=5))
        return
    for size in (1, 3, 5, 1000):
        _same(list(read_chunks(path, chunk_size=size)), old_csv_chunks(path, chunk_size=size))
    total = sum(len(c) for c in expected)
    skip = rng.randint(0, total)
    # resuming, and each slice shipped to a worker (pickled) before it is parsed there
    shipped = [unit_frame(pickle.loads(pickle.dumps(u)), skip) for u in read_units(path, 4, skip_rows=skip)]
    _same(shipped, old_csv_chunks(path, chunk_size=4, skip_rows=skip))


def test_a_slice_carries_lines_not_rows_and_starts_on_a_record(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('id,text\nA1,"satu\ndua"\n\nA2,x\nA3,y\n', encoding="utf-8")
    first, second = read_units(path, chunk_size=2)
    assert isinstance(first, CsvSlice) and first.lines == ['A1,"satu\n', 'dua"\n', "\n", "A2,x\n"]
    assert (first.start, first.rows, first.excel_row, first.line_num) == (0, 2, 1, 1)
    assert (second.start, second.rows, second.excel_row, second.line_num) == (2, 1, 4, 5)
    assert unit_frame(second)["_line"].tolist() == [5]


def test_a_resumed_read_skips_finished_slices_without_shipping_them(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,text\n" + "".join(f"A{i},t{i}\n" for i in range(10)), encoding="utf-8")
    units = list(read_units(path, chunk_size=3, skip_rows=7))
    assert [u.start for u in units] == [6, 9]
    assert [r for u in units for r in unit_frame(u, 7)["_row"]] == [7, 8, 9]


@pytest.mark.parametrize("name", ["surabaya/complaints_2022.csv", "abusive/ibrohim2019_train.csv"])
def test_slices_give_the_rows_of_the_one_pass_reader_on_real_files(name):
    path = REAL / name
    if not path.is_file():
        pytest.skip("real data not available")
    _same(list(read_chunks(path, chunk_size=2000)), old_csv_chunks(path, chunk_size=2000))
