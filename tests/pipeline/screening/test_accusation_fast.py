"""The accusation detector's fast paths against the simple code they replace, on random and real texts:
clause numbering of :class:`Tokens` (only gaps holding a break character are looked at), ``Lexicon.match``
(head tokens found in C), the amount positions, and ``detect_tokens`` against ``detect`` with spans."""

from __future__ import annotations

import random
import re

import pandas as pd
import pytest

from fixtures.real_data import shared_file
from pipeline.document import Document
from pipeline.screening.accusation import _amount_at, amount_positions
from pipeline.screening.accusation_model import AccusationDetector, seed_examples
from pipeline.screening.spans import MAX_TOKENS, PREDICATE_CLASSES, Tokens, _breaks, load_terms
from pipeline.text.tokens import TOKEN_RE, tokenize_with_spans


def simple_scan(text: str, spans=None) -> Tokens:
    """``Tokens.scan`` as it was: every gap between two tokens asked whether it ends a clause."""
    spans = (tokenize_with_spans(text) if spans is None else spans)[:MAX_TOKENS]
    clauses, questions, clause, prev_end, prev_norm = [], set(), 0, 0, ""
    for norm, start, end in spans:
        gap = text[prev_end:start]
        if clauses and _breaks(gap, prev_norm):
            if "?" in gap:
                questions.add(clause)
            clause += 1
        clauses.append(clause)
        prev_end, prev_norm = end, norm
    if "?" in text[prev_end:]:
        questions.add(clause)
    return Tokens(text, tuple(text[s:e] for _, s, e in spans), tuple(n for n, _, _ in spans),
                  tuple(s for _, s, _ in spans), tuple(e for _, _, e in spans), tuple(clauses), frozenset(questions))


def simple_match(lex, norms, classes):
    """``Lexicon.match`` as it was: every token looked up."""
    heads = lex._heads(classes)
    n = len(norms)
    out, free = [], dict.fromkeys(classes, 0)
    for i in range(n):
        options = heads.get(norms[i])
        if not options:
            continue
        best = {}
        for length, cls in options:
            if i >= free[cls] and length > best.get(cls, 0) and i + length <= n \
                    and (length == 1 or norms[i:i + length] in lex.terms[cls]):
                best[cls] = length
        for cls, length in best.items():
            out.append((i, i + length, cls))
            free[cls] = i + length
    return out


PIECES = ["Pak", "Budi", "ketua", "RT", "05", "meminta", "uang", "Rp", "50.000", "50rb", "ribu", "pungli", "tidak",
          "apakah", "ada", "Jl.", "No.", "dr.", "?", "!", ";", ".", ". ", ".. ", ".\t", "\n", " ", "  ", ",", "-",
          "[NIK]", "ﬁle", "İbu", "²", "٣", "rp", "juta", "10k", "korupsi", "menipu", "lurah", "di", "palak", "_"]


def random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) + rng.choice([" ", "", " ", "?", ". "]) for _ in range(rng.randint(0, 40)))
            for _ in range(n)]


def real_texts(limit: int = 3000) -> list[str]:
    df = pd.read_csv(shared_file("surabaya/complaints_2022.csv"), dtype=str, keep_default_na=False)
    return df["text"].tolist()[:limit]


@pytest.fixture(scope="module")
def detector():
    return AccusationDetector().fit(*seed_examples())


def _check_tokens(texts):
    lex = load_terms()
    classes = (PREDICATE_CLASSES, ("hedge", "prevent", "reported"), ("official", "local"))
    for text in texts:
        expected = simple_scan(text)
        assert Tokens.scan(text) == expected, text
        spans = tokenize_with_spans(text)
        assert Tokens.of(text, [n for n, _, _ in spans], [(s, e) for _, s, e in spans]) == expected, text
        for c in classes:
            assert lex.match(expected, c) == simple_match(lex, expected.norms, c), text
        norms = expected.norms
        assert amount_positions(norms) == [i for i in range(len(norms)) if _amount_at(norms, i)], text


def _check_detect(detector, texts):
    for text in texts:
        doc = Document(text)
        norms, cleaned = doc.match_norms, doc.cleaned
        spans = [(m, *t.span()) for m, t in zip(norms, TOKEN_RE.finditer(cleaned))]
        old = detector.detect(cleaned, spans)
        new = detector.detect_tokens(cleaned, norms, [m.span() for m in TOKEN_RE.finditer(cleaned)])
        assert new == old, text


@pytest.mark.parametrize("seed", range(3))
def test_fast_tokens_match_and_amounts_equal_the_simple_code_on_random_texts(seed):
    _check_tokens(random_texts(800, seed) + ["", "?", "a?", "? a", "a. b", "jl. b", "a.. b", "a .b", "a;?b"])


def test_amounts_skip_no_amount_but_keep_odd_tokens():
    norms = ("rp", "50", "", "²", "Rp", "10k", "ribu", "5", "juta")
    assert amount_positions(norms) == [i for i in range(len(norms)) if _amount_at(norms, i)]


@pytest.mark.parametrize("seed", range(2))
def test_detect_tokens_equals_detect_with_spans_on_random_texts(detector, seed):
    _check_detect(detector, random_texts(400, seed + 10) + seed_examples()[0])


@pytest.mark.real_data
def test_fast_paths_equal_the_simple_code_on_real_complaints(detector):
    texts = real_texts()
    _check_tokens(texts)
    cleaned = [Document(t).cleaned for t in texts]
    _check_tokens([c for c in cleaned if re.search(r"[.?!;\n]", c)][:1000])
    _check_detect(detector, texts)
