"""Explanation words: the complaint's own words for each stem term, never the personal data a mask hides."""

from __future__ import annotations

from pipeline.document import Document
from pipeline.routing.explain import surface_words
from pipeline.routing.result import Routing


def test_stems_and_bigrams_are_shown_as_written():
    doc = Document("Jalannya BERLUBANG di jln poros desa, hubungi 081234567890 ya")
    terms = [("jalan", 0.3), ("lubang", 0.2), ("jalan poros", 0.1), ("[telepon]", 0.1), ("hubung", 0.05)]
    words = surface_words(doc, terms)
    assert words == {"jalan": "jalannya", "lubang": "berlubang", "jalan poros": "jln poros", "hubung": "hubungi"}
    routing = Routing("Dinas PU", 0.9, [], True, terms, words=words)
    assert routing.explanation == "kata kunci: jalannya, berlubang, jln poros, hubungi"
    assert "0812" not in routing.explanation and "telepon" not in routing.explanation


def test_a_routing_without_words_shows_its_terms_but_no_placeholder():
    routing = Routing("Dinas PU", 0.9, [], True, [("jalan", 0.3), ("[telepon]", 0.2), ("jalan", 0.1)])
    assert routing.explanation == "kata kunci: jalan"


def test_words_are_those_of_the_first_occurrences_however_early_the_search_stops():
    text = "Sampah menumpuk, jalan rusak. Sampahnya bau; JALAN rusak lagi dan sampah dibakar"
    terms = [("sampah", 0.4), ("jalan rusak", 0.3), ("bakar", 0.1), ("tidakada", 0.1)]
    doc = Document(text)
    first: dict[str, list[str]] = {}
    for span in Document(text).term_spans([t for t, _ in terms]):  # every span, the first ones kept
        words = first.setdefault(span.label, [])
        if len(words) < len(span.label.split()):
            words.append(text[span.start:span.end].lower())
    assert surface_words(doc, terms) == {k: " ".join(v) for k, v in first.items()}
    assert surface_words(doc, terms[:2]) == {"sampah": "sampah", "jalan rusak": "jalan rusak"}
