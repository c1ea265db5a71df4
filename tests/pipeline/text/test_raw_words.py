"""The screener's raw word set: the fast paths of ``words_of_raw`` / ``Document.raw_words`` against the simple
definition (decode what cleaning would, tokenise the lower-cased text, collapse elongations), on random and real texts."""

from __future__ import annotations

import html
import random
import re
import unicodedata

import pandas as pd
import pytest

from fixtures.real_data import shared_file
from pipeline.document import Document
from pipeline.text.raw_words import words_of_raw
from pipeline.text.normalize import INVISIBLE_CHARS
from pipeline.text.tokens import TOKEN_RE, collapse_elongation


def simple_words_of_raw(raw: str) -> set[str]:
    """The definition as it was written before the fast paths: the whole text searched for elongations."""
    low = raw.lower()
    if "\\" in low:
        low = re.sub(r"\\[nrt]", " ", low)
    if "&" in low:
        low = html.unescape(low)
    if not low.isascii():
        low = re.sub(INVISIBLE_CHARS, "", unicodedata.normalize("NFKC", low)).lower()
    tokens = TOKEN_RE.findall(low)
    if not re.search(r"([^\W\d_])\1\1", low):
        return set(tokens)
    return {collapse_elongation(t) for t in tokens}


PIECES = ["jalan", "Rusak", "tolooong", "PAK", "rt", "05", "pungli", "\\n", "\\r\\n", "\\t", "\\r", "\\N", "\\\\",
          "\\", "\\x", "&amp;", "&", "<br>", "0812 3456 7890", "a.b@c.co.id", "www.lapor.go.id/x", "[NIK]", "[nik]",
          "ﬁle", "Ｊalan", "İstanbul", "gak\u200bada", "\x01", "\t", "\n", " ", ".", "!!!", "?", "_", "maaaf",
          "USER", "#banjir", "sdh", "ssst", "aaa"]


def random_texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) + rng.choice(["", " ", "", "\\n"]) for _ in range(rng.randint(0, 25)))
            for _ in range(n)]


def real_texts(limit: int = 4000) -> list[str]:
    df = pd.read_csv(shared_file("surabaya/complaints_2022.csv"), dtype=str, keep_default_na=False)
    texts = df["text"].tolist()
    with_escapes = [t for t in texts if "\\" in t]
    return texts[:limit] + with_escapes[:limit]


def _check(texts: list[str]) -> None:
    for text in texts:
        expected = simple_words_of_raw(text)
        assert words_of_raw(text) == expected, text
        assert Document(text).raw_words == expected, text  # the tokens unknown: the text is read
        doc = Document(text)
        doc.cleaned, doc.token_norms  # as the router leaves a document
        assert doc.raw_words == expected, text


@pytest.mark.parametrize("seed", range(4))
def test_raw_words_equal_the_simple_definition_on_random_texts(seed):
    _check(random_texts(1500, seed))


def test_escape_only_texts_take_the_token_set():
    """A text whose cleaning only decoded its escapes is not scanned again (and a stray backslash is)."""
    doc = Document("Tolooong pak\\njalan rusak\\r\\nparah\\tsekali")
    doc.cleaned, doc.token_norms
    doc.__dict__["token_norms"] = ["marker"]  # where the set comes from
    assert doc.raw_words == {"marker"}
    for text in ("Jalan\\Nrusak", "Jalan\\\\nrusak", "Jalan\\n<b>rusak</b>", "Jalan\\nrusak 0812 3456 7890"):
        doc = Document(text)
        doc.cleaned, doc.token_norms
        doc.__dict__["token_norms"] = ["marker"]
        assert doc.raw_words == simple_words_of_raw(text), text


@pytest.mark.real_data
def test_raw_words_equal_the_simple_definition_on_real_complaints():
    _check(real_texts())
