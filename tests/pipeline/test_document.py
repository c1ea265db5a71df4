"""The analysed complaint: one cleaning per complaint, the same tokens every component used to compute on
its own, spans that point into the original text, and one definition of "same text"."""

from __future__ import annotations

import pytest

import pipeline.document as document_module
from pipeline.document import Document, same_text, words_of_raw
from pipeline.routing.features import DocumentTokens
from pipeline.text import PiiMasker, SlangNormalizer, TextCleaner, Tokenizer, clean_text, lexicon
from pipeline.text.tokens import stem_token, tokenize

HOSTILE = [
    r"Tolooong pak\njln rusak parah, hub 0812 3456 7890",
    "<b>Sampah</b> blm diangkut sdh 3 hari &amp; bau",
    "NIK 3578 0123 4567 0001 ditolak, email a.b@c.co.id, lihat www.lapor.go.id/x",
    "İstanbul ﬁle ＡＢＣ gak\u200bada",  # letters that change length when lower-cased, NFKC forms, zero-width
    "",
    "   ",
    "Lampu PJU mati!!! di Jl. Ahmad Yani No. 45, gpp kah?",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_router_tokens_are_exactly_those_of_the_text_stages(text):
    stages = [TextCleaner(), PiiMasker(), Tokenizer(), SlangNormalizer()]
    expected = [text]
    for stage in stages:
        expected = stage.transform(expected)
    assert DocumentTokens().transform([Document(text)]) == expected
    assert DocumentTokens().transform([text]) == expected  # plain texts are analysed on the way


@pytest.mark.parametrize("text", HOSTILE)
def test_content_stems_are_the_duplicate_detectors_words(text):
    slang, stop = lexicon.slang_dictionary(), lexicon.stop_words()
    expected = [stem_token(t) for tok in tokenize(clean_text(text)) for t in slang.get(tok, (tok,))
                if len(t) >= 2 and t not in stop and not t.isdigit() and not t.startswith("[")]
    assert Document(text).content_stems == expected


@pytest.mark.parametrize("text", HOSTILE)
def test_words_are_the_tokens_surface_forms_whether_or_not_the_tokens_were_built(text):
    fresh, built = Document(text), Document(text)
    built.tokens
    assert fresh.words == built.words == [built.cleaned[s:e] for _, s, e in built.tokens]
    assert "tokens" not in fresh.__dict__  # the words alone do not build the Token objects


@pytest.mark.parametrize("text", HOSTILE + ["Tolooong pak jalan rusaaak", "data [NIK] dan [nik] salah", "Pungli RT 05 USER"])
def test_raw_words_read_from_the_tokens_are_the_raw_texts_words(text):
    doc = Document(text)
    doc.cleaned, doc.token_norms
    assert doc.raw_words == words_of_raw(text)


def test_the_text_is_cleaned_once_however_many_analyses_read_it(monkeypatch):
    calls = []
    real = document_module.clean_text_mapped
    monkeypatch.setattr(document_module, "clean_text_mapped", lambda t: calls.append(t) or real(t))
    doc = Document("Jalan   rusak, hub 081234567890 &amp; gelap")
    for _ in range(3):
        doc.cleaned, doc.tokens, doc.norms, doc.match_norms, doc.content_stems, doc.exact_key, doc.text_hash
        at = doc.cleaned.index("[TELEPON]")
        start, end = doc.original_span(at, at + len("[TELEPON]"))  # evidence spans: no second cleaning either
        assert doc.original[start:end] == "081234567890"
    assert calls == [doc.original]
    assert "[TELEPON]" in doc.cleaned and "&" in doc.cleaned


def test_token_spans_point_into_the_cleaned_text_and_map_back_to_the_original():
    raw = "Kata &quot;goblok&quot; diucapkan\\npetugas"
    doc = Document(raw)
    assert doc.cleaned == 'Kata "goblok" diucapkan\npetugas'
    k = doc.token_norms.index("goblok")
    tok = doc.tokens[k]
    assert doc.cleaned[tok.start:tok.end] == "goblok"
    start, end = doc.original_span(tok.start, tok.end)
    assert raw[start:end] == "goblok"
    p = doc.tokens[doc.token_norms.index("petugas")]
    start, end = doc.original_span(p.start, p.end)
    assert raw[start:end] == "petugas"


def test_slang_is_mapped_one_word_for_rules_and_expanded_for_the_router():
    doc = Document("gpp duit jln")
    assert doc.token_norms == ["gpp", "duit", "jln"]
    assert doc.match_norms[1:] == ["uang", "jalan"]
    assert doc.norms[-2:] == ["uang", "jalan"] and len(doc.norms) > 3  # gpp expands to several words


@pytest.mark.parametrize("text", ["gpp duit jln", "Pak RT mintaaa DUIT 50rb!!", "ＡＢＣ ﬁle İstanbul Straße ΣΑΣ [NIK] 3171",
                                  "kel.Gundih\\nRT 01 &amp; RW 08 <b>jln</b> rusak"])
def test_match_norms_are_the_tokens_mapped_with_or_without_spans(text):
    fresh, spanned = Document(text), Document(text)
    spanned.tokens  # spans first: token_norms then reads them
    assert fresh.match_norms == spanned.match_norms
    assert len(fresh.match_norms) == len(spanned.tokens)


def test_one_definition_of_same_text():
    a = Document("Air PDAM mati  sudah 3 hari!!! Hub 0812-3456-7890")
    b = Document("air pdam mati, sudah 3 hari. hub 0813 9999 1111")  # other punctuation, case, phone number
    c = Document("Air PDAM mati sudah 4 hari")
    assert a.same_text == b.same_text == "air pdam mati sudah 3 hari hub telepon"
    assert a.exact_key == b.exact_key and a.text_hash == b.text_hash
    assert c.exact_key != a.exact_key and c.text_hash != a.text_hash
    assert Document("  !!! ").exact_key == 0 and same_text("") == ""


def test_the_service_hash_and_the_batch_key_are_the_same_definition():
    from pipeline.dedup.features import exact_key
    from service.triage import text_fingerprint

    x, y = "Sampah menumpuk, di depan pasar!", "sampah   menumpuk di depan pasar"
    assert text_fingerprint(x) == text_fingerprint(y) == Document(x).text_hash
    assert exact_key(x) == exact_key(y) == Document(y).exact_key


def test_explanation_terms_come_back_as_spans_of_the_displayed_text():
    doc = Document("Lampu jalan di depan masjid mati, jalanan gelap")
    spans = doc.term_spans(["lampu jalan", "gelap", "tidakada"])
    got = [(doc.cleaned[s.start:s.end], s.label) for s in spans]
    assert got == [("Lampu", "lampu jalan"), ("jalan", "lampu jalan"), ("gelap", "gelap")]
    assert Document.of_cleaned("[TELEPON] dan lampu").cleaned == "[TELEPON] dan lampu"


def _term_spans_by_tokens(doc, terms):
    """The definition: every content token (``token_stems`` not None) and each adjacent pair, in order."""
    unigrams, bigrams = Document.term_names(terms)
    content = [(t, s) for t, s in zip(doc.tokens, doc.token_stems) if s is not None]
    out = []
    for i, (tok, stem) in enumerate(content):
        if stem in unigrams or tok.norm in unigrams:
            out.append((tok.start, tok.end, stem if stem in unigrams else tok.norm))
        if i + 1 < len(content) and (stem, content[i + 1][1]) in bigrams:
            out += [(tok.start, tok.end, f"{stem} {content[i + 1][1]}"),
                    (content[i + 1][0].start, content[i + 1][0].end, f"{stem} {content[i + 1][1]}")]
    return out


@pytest.mark.parametrize("text", HOSTILE + ["Jalannya BERLUBANG di jln poros, jalan poros rusak; duit jalan",
                                            "Tolooong  sampah sampah sampah blm diangkut, sampah bau"])
def test_term_spans_found_per_distinct_token_equal_the_token_definition(text):
    doc = Document(text)
    stems = [s for s in Document(text).token_stems if s]
    terms = sorted(set(stems))[:4] + [f"{a} {b}" for a, b in zip(stems, stems[1:])][:3] + ["uang", "tidakada"]
    fast = [(s.start, s.end, s.label) for s in doc.term_spans(terms)]
    assert "tokens" not in doc.__dict__  # found without building the Token list
    assert fast == _term_spans_by_tokens(Document(text), terms)
    assert [(s.start, s.end, s.label) for s in doc.iter_term_spans(terms)] == fast


@pytest.mark.parametrize("text", HOSTILE + ["Jalannya BERLUBANG di jln poros, jalan poros rusak; duit jalan",
                                            "Sampah menumpuk, jalan rusak. Sampahnya bau; JALAN rusak lagi"])
def test_first_term_spans_are_the_first_spans_of_each_label(text):
    stems = [s for s in Document(text).token_stems if s]
    terms = sorted(set(stems))[:4] + [f"{a} {b}" for a, b in zip(stems, stems[1:])][:3] + ["uang", "tidakada"]
    first: dict[str, list[tuple[int, int]]] = {}
    for span in Document(text).term_spans(terms):
        spans = first.setdefault(span.label, [])
        if len(spans) < len(span.label.split()):
            spans.append((span.start, span.end))
    got = Document(text).first_term_spans(terms)
    assert got == first and list(got) == list(first)  # the same labels, in the order they first occur
    routed = Document(text)
    routed.norms  # as in triage: the router has found the tokens before the explanation asks
    assert routed.first_term_spans(terms) == first
