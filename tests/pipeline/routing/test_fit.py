"""Tenant fit: is a complaint's area in the model's gazetteer, and how many of its words does the model know?"""

from __future__ import annotations

import pickle

import pytest

from pipeline.document import Document
from pipeline.model import TriageModel
from pipeline.routing.fit import _word_steps, known_tokens, tenant_fit


@pytest.fixture(scope="module")
def router(demo_model):
    return TriageModel.load(demo_model).router


@pytest.fixture(scope="module")
def demo_tenant_texts():
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "pipeline" / "tenants" / "selayar" / "complaints.csv"
    with path.open(encoding="utf-8") as fh:
        return [row["text"] for row in csv.DictReader(fh)]


def fit(router, text, kelurahan="", kecamatan=""):
    return tenant_fit(router, [kelurahan], [kecamatan], [Document(text)])[0]


def test_area_fields_known_unknown_or_absent(router):
    text = "Jalan rusak berlubang, mohon diperbaiki."
    assert fit(router, text, "Benteng", "Benteng").area_known is True
    assert fit(router, text, "Bentneg", "").area_known is True  # a misspelling still resolves, as routing does
    # "Genteng" (Surabaya) is one letter from "Benteng", but its kelurahan is unknown: the area is not known
    assert fit(router, text, "Kapasari", "Genteng").area_known is False
    unknown = fit(router, text, "Jemur Wonosari", "Wonocolo")
    assert unknown.area_known is False and unknown.area == "Jemur Wonosari"
    assert fit(router, text).area_known is None
    assert fit(router, "Jalan rusak di desa Bontosaile, mohon diperbaiki.").area_known is True  # named in text


def test_vocabulary_share_counts_words_the_model_knows(router):
    local = fit(router, "Jalan rusak berlubang di depan sekolah, mohon segera diperbaiki.")
    foreign = fit(router, "Saluran tepi jalan Surabaya mampet, trotoar pecah dilalui kenderaan restorant.")
    nonsense = fit(router, "qwzx vbnm plokij")
    assert local.vocabulary > foreign.vocabulary > nonsense.vocabulary == 0.0
    assert local.vocabulary >= 0.8


def test_caches_stay_out_of_the_pickle(router):
    fit(router, "Jalan rusak", "Wonocolo", "")
    state = router.__getstate__()
    assert "_known_tokens" not in state and "_area_fit_cache" not in state and "_known_share_sets" not in state
    assert pickle.loads(pickle.dumps(router)).areas_ is not None


def test_shares_counted_without_word_lists_equal_the_filtered_lists(router, demo_tenant_texts):
    """The counting shortcut gives the shares of the stop filter's own word lists, float for float."""
    texts = demo_tenant_texts + ["", "123 456", "yang dan di", "Jalan 12 rusak 2024 [NIK] dan x"]
    docs = [Document(t) for t in texts]
    known = known_tokens(router)
    content = _word_steps(router)["stop"].transform([d.norms for d in docs])
    expected = [sum(1 for w in words if w in known) / len(words) if words else 0.0 for words in content]
    got = [f.vocabulary for f in tenant_fit(router, [""] * len(docs), [""] * len(docs), docs)]
    assert got == expected
    assert 0.0 in got and any(0.0 < g < 1.0 for g in got)


def test_area_answers_repeat_per_fields_not_per_text(router):
    rows = [("Benteng", "Benteng", "Jalan rusak"), ("Benteng", "Benteng", "Lampu mati di desa Bontosaile"),
            ("", "", "Jalan rusak di desa Bontosaile"), ("", "", "Jalan rusak")]
    fits = tenant_fit(router, [r[0] for r in rows], [r[1] for r in rows], [Document(r[2]) for r in rows])
    assert [f.area_known for f in fits] == [True, True, True, None]


def test_one_pass_counts_and_the_set_by_set_counts_give_the_same_shares(router, demo_tenant_texts, monkeypatch):
    """Narrow count fields send every document of 4 tokens or more down the set-by-set path: both paths agree."""
    from pipeline.routing import fit as fit_module

    texts = demo_tenant_texts[:200] + ["", "123 456", "yang dan di", "Jalan 12 rusak 2024 [NIK] dan x", "jalan"]
    docs = [Document(t) for t in texts]
    wide = [f.vocabulary for f in tenant_fit(router, [""] * len(docs), [""] * len(docs), docs)]
    monkeypatch.setattr(fit_module, "_DROPPED", 4)
    monkeypatch.delitem(router.__dict__, "_known_share_sets")  # its code table holds the field widths
    narrow = [f.vocabulary for f in tenant_fit(router, [""] * len(docs), [""] * len(docs), docs)]
    router.__dict__.pop("_known_share_sets", None)
    assert narrow == wide and any(len(d.norms) < 4 for d in docs) and any(len(d.norms) >= 4 for d in docs)


def test_shares_equal_the_filtered_lists_on_random_documents(router, monkeypatch):
    """Random mixes of known words, stop words, numbers (some of them stop words) and unknown words, the code table
    cleared on the way (bounded): the shares of the stop filter's own word lists, float for float."""
    import random

    from pipeline.text import lexicon

    rng = random.Random(11)
    known = sorted(known_tokens(router))
    stop = sorted(lexicon.stop_words())
    words = known[:300] + stop[:100] + [w for w in stop if w.isdigit()] + ["12", "2024", "0", "qwzx", "plokij", "[nik]"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 30))) for _ in range(2000)]
    docs = [Document(t) for t in texts]
    content = _word_steps(router)["stop"].transform([d.norms for d in docs])
    known_set = frozenset(known)
    expected = [sum(1 for w in ws if w in known_set) / len(ws) if ws else 0.0 for ws in content]
    from pipeline.routing import fit as fit_module

    monkeypatch.setattr(fit_module, "_CODES_MAX", 40)
    router.__dict__.pop("_known_share_sets", None)
    got = [f.vocabulary for f in tenant_fit(router, [""] * len(docs), [""] * len(docs), docs)]
    router.__dict__.pop("_known_share_sets", None)
    assert got == expected and any(0.0 < g < 1.0 for g in got)
