"""Routing features per distinct token: the same matrix as the fitted scikit-learn pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.document import Document
from pipeline.model import TriageModel
from pipeline.routing.features import build_text_features
from pipeline.routing.token_features import TokenFeatures


def _same(a, b) -> None:
    a, b = a.tocsr(), b.tocsr()
    assert a.shape == b.shape and a.dtype == b.dtype
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)  # value for value, not approximately


ODD = [
    "",  # no tokens
    "dan yang di ke",  # only stop words
    "123 456 7890",  # only bare numbers
    "jalan jalan jalan rusak rusak jalan",  # repeated unigrams and bigrams
    "gak ada air pdam udh 3 hari, tolooong",  # slang, elongation, numbers between content words
    "Nomor KTP 3578012345678901 hp 081234567890 email a@b.co",  # PII placeholders
    "xqzv plorf wibblekan menyapu-nyapu",  # words no model has seen
    "baik\u00f0\u00fftm terimakasih tm",  # a stem that holds a space ("baik tm")
]


def test_fast_features_equal_the_pipeline_on_demo_complaints(demo_dir, demo_model):
    router = TriageModel.load(demo_model).router
    fast = TokenFeatures.of(router.features_)
    assert fast is not None
    texts = pd.read_csv(demo_dir / "complaints.csv", dtype=str, keep_default_na=False)["text"].tolist()
    docs = Document.many(texts[:300] + ODD)
    _same(fast.transform(docs), router.features_.transform(docs))
    _same(fast.transform(Document.many(ODD[:1])), router.features_.transform(Document.many(ODD[:1])))


def test_fast_features_handle_multi_word_stems_in_the_vocabulary():
    """A fitted vocabulary where a stem holds a space ("a b c" is then both "a b"+"c" and "a"+"b c")."""
    texts = ["baik\u00f0\u00fftm bantu", "terima baik tm", "bantu baik\u00f0\u00fftm jalan", "jalan rusak baik",
             "tm baik\u00f0\u00fftm jalan", "baik tm bantu"] * 2  # "baikðÿtm" stems to "baik tm"
    features = build_text_features(min_df=1)
    docs = Document.many(texts)
    features.fit(docs)
    vocab = features.named_steps["features"].transformer_list[0][1].named_steps["tfidf"].vocabulary_
    assert "baik tm" in vocab and "baik tm bantu" in vocab and "bantu baik tm" in vocab
    fast = TokenFeatures.of(features)
    probe = Document.many(texts + ["tm baik tm baik\u00f0\u00fftm bantu", "jalan tm", "baik tm"])
    _same(fast.transform(probe), features.transform(probe))


def test_other_pipelines_are_left_to_scikit_learn():
    assert TokenFeatures.of(build_text_features()) is None  # not fitted
    assert TokenFeatures.of(object()) is None


@pytest.mark.parametrize("chunk", [1, 7])
def test_router_scores_do_not_depend_on_the_chunking(demo_dir, demo_model, chunk):
    router = TriageModel.load(demo_model).router
    texts = pd.read_csv(demo_dir / "complaints.csv", dtype=str, keep_default_na=False)["text"].tolist()[:21]
    docs = Document.many(texts)
    whole = router._features(docs)
    parts = [router._features(docs[i:i + chunk]) for i in range(0, len(docs), chunk)]
    import scipy.sparse as sp

    _same(sp.vstack(parts), whole)
