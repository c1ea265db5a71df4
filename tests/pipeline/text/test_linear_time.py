"""No text stage may cost more than linear time in the length of untrusted text.

Each check times a stage at n and at 4n characters inside the same test (best of three runs) and
requires the ratio to stay far below the 16x a quadratic pattern shows. Ratios, not absolute limits:
the machines are shared and noisy. Hypothesis searches for a "pump" string (the classic ReDoS
shape: prefix + pump repeated + suffix) built from the characters the patterns care about.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.dedup.features import content_tokens, location_numbers, normalise_exact, place_terms
from pipeline.text import clean_text, clean_text_aligned, mask_pii, tokenize
from pipeline.text.normalize import clean_text_mapped
from pipeline.text.tokens import stem_token, tokenize_with_spans

N = 4_000
MAX_RATIO = 9.0  # linear: about 4; quadratic: about 16
FLOOR_SECONDS = 0.02  # below this, a busy machine's noise dominates the ratio (a quadratic stage is far above)

ALPHABET = list("aAz0189@.-+_<>/&#;:() \n\\") + ["http", "https://", "www.", "gg ", "08", "+62", "62", "@x.co",
                                                   "&amp;", "<p ", "</", "NIK", "\u202e", "é"]


def _best_of(fn, text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - t0)
    return best


def assert_linear(fn, make, name: str = "", attempts: int = 3) -> None:
    """Passes when one of ``attempts`` measurements is linear: a busy machine can spoil one, not three."""
    small, large = make(N), make(4 * N)
    fn(small)  # warm caches and lazy loads out of the timing
    for _ in range(attempts):
        t_small, t_large = _best_of(fn, small), _best_of(fn, large)
        ratio = t_large / max(t_small, FLOOR_SECONDS)
        if ratio < MAX_RATIO:
            return
    raise AssertionError(f"{name}: {t_small * 1e3:.1f} ms at {N} chars, {t_large * 1e3:.1f} ms at {4 * N} "
                         f"({ratio:.1f}x; linear is about 4x)")


def pumped(prefix: str, pump: str, suffix: str):
    return lambda n: prefix + pump * max(1, (n - len(prefix) - len(suffix)) // max(1, len(pump))) + suffix


def _stem_all(text: str) -> None:
    for token in tokenize(text):
        stem_token(token)


STAGES = {
    "clean_text": clean_text,
    "clean_text_aligned": clean_text_aligned,
    "clean_text_mapped": clean_text_mapped,
    "mask_pii": mask_pii,
    "tokenize": tokenize,
    "tokenize_with_spans": tokenize_with_spans,
    "stem": _stem_all,
    "dedup.content_tokens": content_tokens,
    "dedup.location_numbers": lambda t: location_numbers(t, t),
    "dedup.place_terms": place_terms,
    "dedup.normalise_exact": normalise_exact,
}

# Shapes found to be (or known to make patterns) quadratic: issue 11's 20,000 letters and one '@'.
KNOWN_BAD = {
    "letters then @": pumped("", "a", "@"),
    "@ then letters": pumped("@", "a", ""),
    "dotted local part": pumped("", "a.", "@"),
    "address without dot": pumped("x@", "a", ""),
    "many @": pumped("", "a@", ""),
    "digits": pumped("", "0", ""),
    "spaced digits": pumped("", "0 ", ""),
    "08 repeated": pumped("", "08", ""),
    "open tags": pumped("", "<a", ""),
    "unclosed tag": pumped("<p ", "a", ""),
    "entities": pumped("", "&#", ""),
    "urls": pumped("http://", "a", ""),
    "alleys": pumped("", "gg ", "5"),
    "bidi": pumped("", "a\u202e", ""),
}


@pytest.mark.parametrize("shape", sorted(KNOWN_BAD))
@pytest.mark.parametrize("stage", sorted(STAGES))
def test_stage_is_linear_on_known_hostile_shapes(stage, shape):
    assert_linear(STAGES[stage], KNOWN_BAD[shape], f"{stage} on {shape!r}")


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(prefix=st.lists(st.sampled_from(ALPHABET), max_size=3).map("".join),
       pump=st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=4).map("".join),
       suffix=st.lists(st.sampled_from(ALPHABET), max_size=3).map("".join))
def test_every_text_stage_is_linear_on_generated_pump_strings(prefix, pump, suffix):
    make = pumped(prefix, pump, suffix)
    for name, fn in STAGES.items():
        assert_linear(fn, make, f"{name} on {prefix!r} + {pump!r}* + {suffix!r}")


def test_router_and_screener_are_linear_on_a_long_word_with_one_at(demo_model):
    """The issue's case end to end: 19,990 letters and one '@' through routing and screening."""
    from pipeline.model import TriageModel

    model = TriageModel.load(demo_model)

    def route(text):
        model.route(pd.DataFrame({"text": [text], "kelurahan": [""], "kecamatan": [""], "address": [""],
                                  "created_at": [""]}))

    assert_linear(route, pumped("", "a", "@"), "router")
    assert_linear(route, pumped("x@", "a", ""), "router")
    if model.screener is not None:
        assert_linear(lambda t: model.screener.screen([t]), pumped("", "a", "@"), "screener")


def test_the_issue_text_is_still_masked_correctly():
    assert clean_text("a" * 19_990 + "@") == "a" * 19_990 + "@"
    assert clean_text("tulis ke " + "b" * 5000 + "@contoh.co.id ya") == "tulis ke [EMAIL] ya"


@pytest.mark.parametrize("raw", ["hub08123456789", "WA081234567890ya", "telp0411-123456", "nomor+6281234567890"])
def test_phone_numbers_glued_to_a_word_are_masked(raw):
    assert "[TELEPON]" in mask_pii(raw)
    assert not any(ch.isdigit() for ch in mask_pii(raw))


def test_bidi_controls_are_removed_from_the_display_text_only():
    raw = "Jalan rusak \u202eadaP\u202c di \u2066Benteng\u2069\u200f"
    assert clean_text(raw) == "Jalan rusak adaP di Benteng"
    aligned = clean_text_aligned(raw)
    assert aligned.text == "Jalan rusak adaP di Benteng"
    s, e = aligned.original_span(aligned.text.index("Benteng"), aligned.text.index("Benteng") + 7)
    assert raw[s:e] == "Benteng"
