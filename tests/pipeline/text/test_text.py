"""The Indonesian text pipeline: what each stage guarantees to the stages and users after it."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.routing.features import build_text_features
from pipeline.text import (
    PiiMasker,
    SlangNormalizer,
    Stemmer,
    StopwordFilter,
    TextCleaner,
    Tokenizer,
    clean_text,
    clean_text_aligned,
    mask_pii,
    tokenize,
)
from pipeline.text.tokens import tokenize_with_spans


def test_literal_escape_sequences_become_line_breaks():
    assert clean_text(r"Jalan rusak\ndi depan rumah\r\nmohon\tsegera") == "Jalan rusak\ndi depan rumah\nmohon segera"


def test_html_tags_and_entities_are_decoded():
    assert clean_text("<p>Sampah&nbsp;menumpuk &amp; bau</p><br/>tolong") .split() == ["Sampah", "menumpuk", "&", "bau", "tolong"]


def test_unicode_is_nfkc_normalised():
    assert clean_text("ＰＪＵ mati") == "PJU mati"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("tolooong", "tolong"),
        ("maaaaf", "maaf"),
        ("parahhhh", "parah"),
        ("gg III", "gg iii"),  # Roman numerals are not elongations
    ],
)
def test_elongated_letters_collapse_to_a_known_word(raw, expected):
    assert " ".join(tokenize(raw)) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "0812-3456-7890",
        "0812 3456 7890",
        "081234567890",
        "+62 812 3456 7890",
        "+62-812-3456-7890",
        "62812.3456.7890",
        "(031) 123 4567",
    ],
)
def test_phone_numbers_are_masked_in_every_spacing(raw):
    assert mask_pii(f"hubungi {raw} ya") == "hubungi [TELEPON] ya"


@pytest.mark.parametrize("raw", ["3578012345670001", "3578 0123 4567 0001", "3578-0123-4567-0001", "357801234567000"])
def test_nik_is_masked(raw):
    assert mask_pii(f"NIK saya {raw}.") == "NIK saya [NIK]."


def test_email_and_url_are_masked():
    assert mask_pii("kirim ke budi.s@gmail.com atau https://lapor.go.id/x?y=1") == "kirim ke [EMAIL] atau [URL]"


@pytest.mark.parametrize("raw", ["tahun 2022", "RT 05 RW 03", "Rp 1.500.000", "tgl 12-05-2022", "no 389", "jam 20.00"])
def test_ordinary_numbers_are_not_masked(raw):
    assert mask_pii(raw) == raw


def test_placeholders_stay_single_tokens():
    assert tokenize("hubungi [TELEPON] atau [NIK]") == ["hubungi", "[telepon]", "atau", "[nik]"]


def test_slang_is_normalised_including_multiword_expansions():
    out = SlangNormalizer().transform([["gak", "blm", "sdh", "tdk", "jln", "yg", "gaada"]])[0]
    assert out == ["tidak", "belum", "sudah", "tidak", "jalan", "yang", "tidak", "ada"]


def test_stopwords_go_but_negations_and_domain_words_stay():
    out = StopwordFilter().transform([["dan", "yang", "tidak", "belum", "jalan", "rusak", "2022"]])[0]
    assert out == ["tidak", "belum", "jalan", "rusak"]


def test_stemming_uses_sastrawi_and_keeps_placeholders():
    out = Stemmer().fit_transform([["perbaikan", "pengangkutan", "dibersihkan", "[nik]", "pju"]])[0]
    assert out == ["baik", "angkut", "bersih", "[nik]", "pju"]


def test_aligned_cleaning_maps_back_to_original_characters():
    raw = r"Pak RT\nminta uang, hub 0812-3456-7890 &amp; lapor"
    aligned = clean_text_aligned(raw)
    assert aligned.text == "Pak RT\nminta uang, hub [TELEPON] & lapor"
    start = aligned.text.index("minta")
    s, e = aligned.original_span(start, start + len("minta uang"))
    assert raw[s:e] == "minta uang"
    s, e = aligned.original_span(aligned.text.index("[TELEPON]"), aligned.text.index("[TELEPON]") + 9)
    assert raw[s:e] == "0812-3456-7890"
    s, e = aligned.original_span(aligned.text.index("lapor"), len(aligned.text))
    assert raw[s:e] == "lapor"


def test_token_spans_point_into_the_text():
    text = "Jalan  Berlubaaang di Kel. Ploso"
    for token, s, e in tokenize_with_spans(text):
        assert text[s:e].lower().startswith(token[:3])


def test_stages_are_deterministic_and_pickle_round_trip():
    texts = [r"Tolooong pak\njln rusak parah, hub 0812 3456 7890", "<b>Sampah</b> blm diangkut sdh 3 hari"]
    features = build_text_features(min_df=1)
    X1 = features.fit_transform(texts)
    clone = pickle.loads(pickle.dumps(features))
    X2 = clone.transform(texts)
    assert (X1 != X2).nnz == 0
    assert (features.transform(texts) != X1).nnz == 0


def test_each_stage_is_a_scikit_learn_transformer(tmp_path):
    from sklearn.base import clone

    slang = tmp_path / "slang.tsv"
    slang.write_text("informal\tstandard\ngpl\tgapleh\n", encoding="utf-8")
    texts = [r"Tolooong pak\njln rusak, hub 0812 3456 7890 &amp; gpl", "<b>Sampah</b> blm diangkut 3 hari"]
    tokens = [["tolong", "jln", "rusak", "gpl", "3", "hari", "yang", "dengan"], ["jalan", "berlubang"]]
    stages = [
        (TextCleaner(), texts),
        (PiiMasker(), texts),
        (Tokenizer(), texts),
        (SlangNormalizer(str(slang)), tokens),
        (StopwordFilter(extra_stop_words=("rusak",), drop_numbers=False), tokens),
        (Stemmer().fit(tokens), tokens),
    ]
    for stage, X in stages:
        expected = stage.transform(X)
        for copy in (clone(stage).fit(X), pickle.loads(pickle.dumps(stage))):
            assert copy.get_params() == stage.get_params()
            assert copy.transform(X) == expected, type(stage).__name__
    # the non-default parameters do something, and survive the copies
    assert stages[3][0].transform(tokens)[0][3] == "gapleh"
    stop = stages[4][0].transform(tokens)[0]
    assert "rusak" not in stop and "3" in stop and "yang" not in stop
    assert clone(stages[4][0]).get_params()["extra_stop_words"] == ("rusak",)


def test_a_models_stems_warm_the_process_cache_only_when_they_are_this_stemmers(monkeypatch):
    import pipeline.text.tokens as tokens

    monkeypatch.setattr(tokens, "_STEM_CACHE", {})
    fitted = Stemmer().fit([["perbaikan", "pengangkutan", "dibersihkan"]]).stems_
    tokens._STEM_CACHE.clear()
    assert tokens.seed_stem_cache(fitted)
    assert tokens._STEM_CACHE == fitted  # a loaded model's vocabulary: no Sastrawi call for these words
    monkeypatch.setattr(tokens, "_STEM_CACHE", {})
    stale = {**fitted, "perbaikan": "perbaik"}  # a table saved by another stemmer is not trusted
    assert not tokens.seed_stem_cache(stale, sample=len(stale))
    assert tokens._STEM_CACHE == {}
    assert tokens.stem_token("perbaikan") == "baik"


def test_aligned_rules_that_rewrite_nothing_keep_every_characters_own_span():
    from pipeline.text.rewrite import AlignedText, Rule, apply_rules_aligned

    same = Rule.of(r"[^\x00-\x7f]+", lambda m: m.group(0))  # NFKC of text already in NFKC form
    out = apply_rules_aligned(AlignedText.identity("kafé “x”"), (same, Rule.of(r"x", "yy")))
    assert out.text == "kafé “yy”"
    assert out.original_span(3, 4) == (3, 4)  # é: its own character, not the whole non-ASCII match
    assert [out.original_span(i, i + 1) for i in range(6, 8)] == [(6, 7), (6, 7)]


_RULE_TEXT = st.text(alphabet=st.sampled_from(list("ab 1209.-+@<>/&#;\\ntrx") + ["é", "ﬁ", "Ａ", "\u200b", "\x07", "8"]),
                     max_size=60)


@settings(max_examples=300, deadline=None)
@given(_RULE_TEXT)
@example(r"Tolooong\njln <br/>rusak &amp; <b>bau</b>\t hub 0812-3456-7890 NIK 3578012345670001 a@b.co www.x.id")
@example("ﬁle ＡＢＣ\u200b\u202e (031) 123 4567 +62 812 3456 7890 &#64; &lt;p&gt;")
def test_a_rule_guard_only_skips_a_pattern_that_cannot_match(text):
    from pipeline.text.normalize import DECODE_RULES
    from pipeline.text.pii import PII_RULES
    from pipeline.text.rewrite import apply_rules

    for rule in DECODE_RULES + PII_RULES:
        if not rule.applies(text):
            assert rule.pattern.search(text) is None
    unguarded = text
    for rule in DECODE_RULES + PII_RULES:
        unguarded = rule.pattern.sub(rule.replace, unguarded)
    assert apply_rules(text, DECODE_RULES + PII_RULES) == unguarded == clean_text(text)
