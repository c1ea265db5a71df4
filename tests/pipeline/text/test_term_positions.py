"""The explanation's first term positions and words against the simple definition (every span, the first kept)."""

from __future__ import annotations

import random

import pandas as pd

from fixtures.real_data import shared_file
from pipeline.document import Document
from pipeline.text.term_positions import token_spans, unchanged_words
from pipeline.text.tokens import TOKEN_RE

WORDS = ["jalan", "Jalannya", "BERLUBANG", "rusak", "jln", "poros", "sampah", "sampahnya", "dibakar", "di", "dan",
         "yang", "tolooong", "maaaaf", "jalaaan", "nik", "url", "email", "telepon", "[NIK]", "[telepon]", "123",
         "081234567890", "3578012345670001", "hubungi", "warga", "ke", "Ngagel", "café", "ﬁlm", "ＡＢＣ", "x_y",
         "2x", "lampu", "PJU", "mati", "gak", "nggak", "duit"]
GLUE = [" ", "  ", ", ", ". ", "\\n", "\n", " - ", "&amp;", "<br>", "\u200b", "...", "_", "(", ")"]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) + rng.choice(GLUE) for _ in range(rng.randint(0, 25)))


def expected_words(text: str, terms: list[str]) -> list[tuple[str, str]]:
    """The simple definition: all spans of :meth:`Document.term_spans`, the first ones of each label kept."""
    doc = Document(text)
    first: dict[str, list[str]] = {}
    for span in doc.term_spans(terms):
        words = first.setdefault(span.label, [])
        if len(words) < len(span.label.split()):
            start, end = doc.original_span(span.start, span.end)
            words.append(doc.original[start:end].lower())
    return [(label, " ".join(words)) for label, words in first.items()]


def _terms(rng: random.Random, text: str) -> list[str]:
    stems = [s for _, s in Document(text).content_words] or ["jalan"]
    terms = [rng.choice(stems) for _ in range(rng.randint(1, 4))]
    terms += [f"{a} {b}" for a, b in zip(stems, stems[1:]) if rng.random() < 0.3][:3]
    terms += rng.sample(["lubang", "jalan rusak", "tidakada", "sampah bakar", "bakar", "mati"], 2)
    return terms


def _check(text: str, terms: list[str]) -> None:
    expected = expected_words(text, terms)
    for warm in (False, True):  # with and without the router's tokens already known
        doc = Document(text)
        if warm:
            doc.token_norms
        assert list(doc.first_term_words(terms).items()) == expected, (text, terms, warm)
        doc = Document(text)
        if warm:
            doc.token_norms
        spans = doc.first_term_spans(terms)
        assert [label for label, _ in expected] == list(spans), (text, terms)
        for label, ks in spans.items():
            assert len(ks) == len(label.split())


def test_random_texts_agree_with_the_simple_definition():
    rng = random.Random(11)
    for _ in range(3000):
        text = _text(rng)
        _check(text, _terms(rng, text))


def test_real_complaints_agree_with_the_simple_definition():
    df = pd.read_csv(shared_file("surabaya/complaints_2022.csv"), dtype=str, keep_default_na=False)
    rng = random.Random(5)
    for text in df["text"].head(2000):
        _check(text, _terms(rng, text))


def test_unchanged_words_tells_whether_the_tokens_are_the_words_lower_cased():
    rng = random.Random(3)
    texts = [_text(rng) for _ in range(3000)] + ["", "[NIK] abc", "tolooong", "a[nik]b"]
    seen = {True: 0, False: 0}
    for text in texts:
        doc = Document(text)
        if not doc.cleaned.isascii():
            continue
        words = [m.group().lower() for m in TOKEN_RE.finditer(doc.cleaned)]
        same = unchanged_words(doc.cleaned, doc.token_norms)
        assert same == (doc.token_norms == words), text
        seen[same] += 1
    assert min(seen.values()) > 100


def test_token_spans_by_find_are_the_pattern_spans():
    rng = random.Random(9)
    found = 0
    for _ in range(3000):
        doc = Document(_text(rng))
        if not doc.cleaned.isascii() or not unchanged_words(doc.cleaned, doc.token_norms):
            continue
        spans = [m.span() for m in TOKEN_RE.finditer(doc.cleaned)]
        if not spans:
            continue
        ks = rng.sample(range(len(spans)), min(len(spans), 5))
        assert token_spans(doc.cleaned, ks, doc.token_norms) == {k: spans[k] for k in ks}
        assert token_spans(doc.cleaned, ks) == {k: spans[k] for k in ks}
        found += 1
    assert found > 500
