"""The rules' span finder gives exactly the matches spaCy's PhraseMatcher and Matcher gave (the oracle)."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from pipeline.document import Document
from pipeline.screening.lexicons import load_lexicon
from pipeline.screening.matching import PHRASE_CLASSES, SpanFinder, like_num
from pipeline.screening.rules import FILLER

spacy = pytest.importorskip("spacy")
TENANT = "pipeline/tenants/selayar"


class SpacyOracle:
    """The matchers as the rules built them before the span finder (rules.py, up to 4f5088c)."""

    def __init__(self, lex):
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.tokens import Doc

        from pipeline.text.spacy_vocab import indonesian_vocab

        self.vocab, self.Doc = indonesian_vocab(), Doc
        self.phrases = PhraseMatcher(self.vocab, attr="ORTH")
        for cls in PHRASE_CLASSES:
            docs = [self.doc(list(t)) for t in sorted(lex.terms[cls])]
            if docs:
                self.phrases.add(cls, docs)
        not_name = sorted(lex.words("not_name") | lex.words("title") | lex.words("position"))
        name_token = {"IS_ALPHA": True, "LENGTH": {">=": 3}, "ORTH": {"NOT_IN": not_name}}
        self.matcher = Matcher(self.vocab)
        self.matcher.add("named", [[{"ORTH": {"IN": sorted(lex.words("title"))}}, name_token]])
        self.matcher.add("named_cue", [
            [*({"ORTH": w} for w in cue), {"IS_ALPHA": True, "LENGTH": {">=": 2}, "ORTH": {"NOT_IN": not_name}}]
            for cue in sorted(lex.terms["name_cue"])])
        self.matcher.add("org", [[{"ORTH": {"IN": sorted(lex.words("org"))}}, name_token]])
        self.matcher.add("position_number", [[{"ORTH": {"IN": ["rt", "rw"]}}, {"LIKE_NUM": True}]])

    def doc(self, norms):
        return self.Doc(self.vocab, words=norms)

    def matches(self, norms):
        doc = self.doc(norms)
        phrases = sorted((self.vocab.strings[m], s, e) for m, s, e in self.phrases(doc))
        persons = sorted((self.vocab.strings[m], s, e) for m, s, e in self.matcher(doc))
        return phrases, persons


def ours(finder, norms):
    phrases = sorted((cls, s, e) for cls, spans in finder.phrases(norms).items() for s, e in spans)
    return phrases, sorted(finder.persons(norms))


@pytest.fixture(scope="module")
def both():
    lex = load_lexicon()
    return lex, SpanFinder(lex), SpacyOracle(lex)


def token_lists(lex, n: int, seed: int = 7) -> list[list[str]]:
    """Random texts made of lexicon terms, names, numbers and plain words: nested, overlapping and adjacent
    terms, terms at the very end, number words and fillers."""
    rng = random.Random(seed)
    terms = sorted({t for cls in lex.terms for t in lex.terms[cls]})
    plain = ["warga", "di", "jalan", "budi", "ab", "x", "5", "05", "123", "dua", "belas", "rt", "rw", "pak", "bu",
             FILLER, "[nik]", "ribu", "²", "ketua", "oleh", "no", "sdr"]
    out = []
    for _ in range(n):
        norms: list[str] = []
        for _ in range(rng.randint(0, 14)):
            norms += list(rng.choice(terms)) if rng.random() < 0.5 else [rng.choice(plain)]
        out.append(norms)
    return out


def test_random_token_lists_match_like_spacy(both):
    lex, finder, oracle = both
    for norms in token_lists(lex, 3000):
        assert ours(finder, norms) == oracle.matches(norms), norms


def test_every_term_alone_and_in_context_matches_like_spacy(both):
    lex, finder, oracle = both
    for cls in sorted(lex.terms):
        for term in sorted(lex.terms[cls]):
            for norms in (list(term), ["pak", *term, "budi", "05"], ["rt", *term, *term, "dua"]):
                assert ours(finder, norms) == oracle.matches(norms), norms


def test_real_texts_match_like_spacy(both):
    _, finder, oracle = both
    texts = pd.read_csv(f"{TENANT}/screening_seed.csv")["Tweet"].tolist()
    texts += pd.read_csv(f"{TENANT}/backlog.csv")["text"].tolist()[:400]
    found = 0
    for text in texts:
        norms = Document(text).match_norms
        expected = oracle.matches(norms)
        assert ours(finder, norms) == expected, text
        found += bool(expected[0])
    assert found > 20  # the texts do exercise the matchers


def test_like_num_is_spacys():
    from spacy.lang.id.lex_attrs import like_num as spacy_like_num

    for text in ["5", "05", "1.000", "1,5", "+3", "-2", "±1", "~4", "1/2", "a/2", "dua", "Dua", "ke-3", "ke-dua",
                 "x-y-z", "belas", "rt", "", FILLER, "²", "٣", "12a", "-", "1/2/3", "se-puluh"]:
        assert like_num(text) == spacy_like_num(text), text
