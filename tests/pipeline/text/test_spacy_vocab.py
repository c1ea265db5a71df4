"""The matchers' vocabulary has the lexical attributes of ``spacy.blank("id")`` (without its pipeline)."""

from __future__ import annotations

from pipeline.text.spacy_vocab import indonesian_vocab

WORDS = ["05", "tiga", "sebelas", "Barun", "BARUN", "pungli", "rt", "1.000", "dua puluh", "Rp", "x2", "ketua"]
ATTRS = ("like_num", "is_alpha", "is_title", "is_upper", "is_digit", "shape_", "lower_", "is_punct")


def test_lexical_attributes_match_spacy_blank_id():
    import spacy

    reference = spacy.blank("id").vocab
    ours = indonesian_vocab()
    for word in WORDS:
        a, b = ours[word], reference[word]
        assert [getattr(a, n) for n in ATTRS] == [getattr(b, n) for n in ATTRS], word
    assert ours["tiga"].like_num and not ours["ketua"].like_num
