"""Rule windowing: long texts are matched in windows around trigger words, with the same hits as short ones."""

from __future__ import annotations

import pytest

from pipeline.document import Document
from pipeline.screening.lexicons import load_lexicon
from pipeline.screening.rules import LONG_TEXT, RuleMatcher

FILLER = "jalan di kampung kami sudah lama tidak diperbaiki dan warga menunggu perbaikan dari dinas terkait ".split()


@pytest.fixture(scope="module")
def rules() -> RuleMatcher:
    return RuleMatcher(load_lexicon())


def hits(rules, text):
    doc = Document(text)
    return doc, [(h.category, h.start, h.end, h.kind, [(s, e) for s, e, _ in h.related])
                 for h in rules.match(doc.words, doc.match_norms)]


def test_a_long_text_gets_the_hits_of_its_short_core_shifted(rules):
    core = "Ketua RT 05 meminta uang pungli ke warga, dasar goblok"
    _, short = hits(rules, core)
    assert {h[0] for h in short} == {"defamation_risk", "abusive"}
    pad = FILLER * 6
    doc, long = hits(rules, " ".join(pad) + " " + core + " " + " ".join(pad))
    assert len(doc.tokens) > 3 * LONG_TEXT
    k = len(pad)
    assert long == [(c, s + k, e + k, kind, [(a + k, b + k) for a, b in rel]) for c, s, e, kind, rel in short]


def test_window_boundaries_do_not_join_distant_words(rules):
    """An accusation and a position 100 words apart are not an accusation against that person."""
    far = "Ketua RT 05 " + " ".join(FILLER * 7) + " ada pungli di sana"
    near = "Ketua RT 05 ada pungli di sana " + " ".join(FILLER * 7)
    assert "defamation_risk" not in {h[0] for h in hits(rules, far)[1]}
    assert "defamation_risk" in {h[0] for h in hits(rules, near)[1]}


def test_a_long_text_without_trigger_words_is_not_matched_at_all(rules):
    assert hits(rules, " ".join(FILLER * 10))[1] == []
