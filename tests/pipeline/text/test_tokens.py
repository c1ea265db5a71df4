"""Token stages against their simple definitions: the fast paths must give the same lists, token for token."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from pipeline.text import lexicon
from pipeline.text import tokens as token_stages
from pipeline.text.tokens import TOKEN_RE, collapse_elongation, expand_slang, tokenize

# letters that repeat (elongation runs), digits, underscores, placeholders, letters whose lower case is
# longer (İ) or another letter (K: Kelvin sign), combining marks and punctuation
ALPHABET = list("aaaoooggkkdi  ,.-_19") + ["İ", "\u212a", "é", "ß", "\u0301", "[NIK]", "[telepon]", "Ooo", "\n"]


def _by_definition(text: str) -> list[str]:
    return [collapse_elongation(t) for t in TOKEN_RE.findall(text.lower())]


def _random_texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(n)]


def _real_texts(path) -> list[str]:
    return pd.read_csv(path, dtype=str, keep_default_na=False)["text"].tolist()


@pytest.mark.parametrize("text", ["", "tolooong", "maaaaf pak", "Gak ADA air", "XIII viii", "aaa1", "1aaa", "a_aaa"])
def test_tokenize_is_the_per_token_definition_on_chosen_texts(text):
    assert tokenize(text) == _by_definition(text)


def test_tokenize_is_the_per_token_definition_on_random_texts(monkeypatch):
    monkeypatch.setattr(token_stages, "_COLLAPSED_MAX", 50)  # the bounded table is cleared and refilled on the way
    texts = _random_texts(20_000)
    assert sum(tokenize(t) != TOKEN_RE.findall(t.lower()) for t in texts) > 100  # runs that collapse do occur
    for text in texts:
        assert tokenize(text) == _by_definition(text), text


def test_tokenize_is_the_per_token_definition_on_real_complaints(demo_dir, surabaya_csv):
    for text in _real_texts(demo_dir / "complaints.csv") + _real_texts(surabaya_csv)[:20_000]:
        assert tokenize(text) == _by_definition(text), text


def _expand_by_definition(tokens, table) -> list[str]:
    out: list[str] = []
    for t in tokens:
        out.extend(table.get(t, (t,)))
    return out


def test_expand_slang_is_the_per_token_definition(demo_dir):
    table = lexicon.slang_dictionary()
    slang = sorted(table)[:200]
    rng = random.Random(3)
    lists = [[rng.choice(slang + ["jalan", "rusak", "[nik]", "123", ""]) for _ in range(rng.randint(0, 12))]
             for _ in range(3000)]
    lists += [tokenize(t) for t in _real_texts(demo_dir / "complaints.csv")]
    for tokens in lists:
        assert expand_slang(tokens, table) == _expand_by_definition(tokens, table)
    assert expand_slang(iter(["gak", "ada"]), table) == _expand_by_definition(["gak", "ada"], table)
