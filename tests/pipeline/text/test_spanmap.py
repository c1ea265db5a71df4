"""SpanMap: the spans of a cleaned complaint mapped back onto what the citizen wrote, exactly as AlignedText does."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.text.normalize import clean_text, clean_text_aligned, clean_text_mapped
from pipeline.text.rewrite import AlignedText, Rule, apply_rules_aligned
from pipeline.text.spanmap import apply_rules_mapped

_TEXT = st.text(alphabet=st.sampled_from(list("ab 1209.-+@<>/&#;\\ntrxw:p") + ["é", "ﬁ", "Ａ", "\u200b", "\x07", "8", "\u202e"]),
                max_size=80)


def _all_spans(n: int):
    for start in range(n + 1):
        for end in range(start, n + 1):
            yield start, end
    yield n, n + 1 if n else 0  # past the end: AlignedText's fallback
    yield 3, 1  # an empty (reversed) span


def _same_as_aligned(raw: str) -> None:
    text, spans = clean_text_mapped(raw)
    aligned = clean_text_aligned(raw)
    assert text == aligned.text == clean_text(raw)
    if spans is None:
        assert aligned.starts == list(range(len(raw))) and text == raw
        return
    for start, end in _all_spans(len(text)):
        if end > start and start >= len(text):
            continue  # AlignedText itself fails there
        assert spans.original_span(start, end) == aligned.original_span(start, end), (raw, start, end)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
@example(r"Tolooong\njln <br/>rusak &amp; <b>bau</b>\t hub 0812-3456-7890 NIK 3578012345670001 a@b.co www.x.id")
@example("ﬁle ＡＢＣ\u200b\u202e (031) 123 4567 +62 812 3456 7890 &#64; &lt;p&gt;")
@example("\u200b\u200b")
def test_a_span_of_the_cleaned_text_maps_to_the_same_original_characters_as_the_aligned_path(raw):
    _same_as_aligned(raw)


def test_a_masked_phone_number_points_at_the_digits_the_citizen_typed():
    raw = "Pak RT\\nminta uang, hub 0812-3456-7890 &amp; lapor"
    text, spans = clean_text_mapped(raw)
    at = text.index("[TELEPON]")
    s, e = spans.original_span(at, at + len("[TELEPON]"))
    assert raw[s:e] == "0812-3456-7890"
    s, e = spans.original_span(text.index("lapor"), len(text))
    assert raw[s:e] == "lapor"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abxy ", max_size=30))
def test_insertions_at_empty_matches_and_identity_rewrites_map_like_the_aligned_path(raw):
    rules = (Rule.of(r"x*", lambda m: m.group(0) or "<>"), Rule.of(r"a", lambda m: m.group(0)), Rule.of(r"y", ""),
             Rule.of(r"b", "BBB"))
    aligned = apply_rules_aligned(AlignedText.identity(raw), rules)
    text, spans = apply_rules_mapped(raw, rules)
    assert text == aligned.text
    if spans is None:
        return
    for start, end in _all_spans(len(text)):
        if end > start and start >= len(text):
            continue
        assert spans.original_span(start, end) == aligned.original_span(start, end), (raw, start, end)


def test_text_no_rule_changes_needs_no_map():
    assert clean_text_mapped("jalan rusak di depan sekolah") == ("jalan rusak di depan sekolah", None)
