"""Tenant fit: is a complaint's area in the model's gazetteer, and how many of its words does the model know?"""

from __future__ import annotations

import pickle

import pytest

from pipeline.document import Document
from pipeline.model import TriageModel
from pipeline.routing.fit import tenant_fit


@pytest.fixture(scope="module")
def router(demo_model):
    return TriageModel.load(demo_model).router


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
    assert "_known_tokens" not in state and "_area_fit_cache" not in state
    assert pickle.loads(pickle.dumps(router)).areas_ is not None
