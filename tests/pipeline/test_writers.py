"""CSV text built column by column (:meth:`pipeline.writers.CsvCells.text`) is the csv module's text, cell for cell."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.writers import CsvCells, OutputFormat, csv_text

KEYS = ["a", "b", "c"]
TEXT = st.text(alphabet=st.sampled_from(list('ab ,;\t"\r\n=+-@\'\0é语')), max_size=8)
VALUE = st.one_of(TEXT, st.none(), st.booleans(), st.integers(), st.floats(),
                  st.lists(TEXT, max_size=2), st.floats(allow_nan=False).map(np.float64))
RECORD = st.dictionaries(st.sampled_from(KEYS), VALUE)


@settings(max_examples=400, deadline=None)
@given(records=st.lists(RECORD, max_size=6), delimiter=st.sampled_from([",", ";", "\t"]), excel=st.booleans(),
       keys=st.sampled_from([KEYS, KEYS[:1], KEYS[:2]]))
def test_column_text_is_the_csv_writers_text(records, delimiter, excel, keys):
    cells = CsvCells(excel)
    assert cells.text(records, keys, delimiter) == csv_text(cells.rows(records, keys), OutputFormat("csv", delimiter))


def test_a_column_of_plain_text_is_written_as_it_is_and_specials_are_quoted():
    records = [{"a": "x", "b": 'say "hi", then\nbye'}, {"a": "=1+1", "b": None}]
    assert CsvCells(False).text(records, ["a", "b"], ",") == 'x,"say ""hi"", then\nbye"\r\n\'=1+1,\r\n'


def test_each_special_character_alone_is_quoted_as_the_csv_writer_does():
    for delimiter in (",", ";", "\t"):
        for ch in ",;\t\"\r\n\0 '=+-@é":
            for cell in (ch, f"x{ch}", f"{ch}y"):
                records = [{"a": cell, "b": 1.5}, {"a": "plain", "b": None}]
                cells = CsvCells(False)
                assert cells.text(records, ["a", "b"], delimiter) == csv_text(
                    cells.rows(records, ["a", "b"]), OutputFormat("csv", delimiter)), (delimiter, cell)
