"""Char n-gram TF-IDF: the cache of training tokens travels with the model and changes nothing."""

from __future__ import annotations

import pickle

import numpy as np

from pipeline.text.ngrams import CharNgramTfidf

TRAIN = [["jalan", "rusak", "parah"], ["lampu", "jalan", "mati"], ["air", "pdam", "mati"], ["jalan", "berlubang"]]


def test_a_loaded_model_starts_with_its_training_tokens_cached_and_gives_the_same_matrix():
    fitted = CharNgramTfidf(min_df=1).fit(TRAIN)
    loaded = pickle.loads(pickle.dumps(fitted))
    assert "_cache" not in loaded.__dict__  # the process cache itself is not pickled, only the compact table
    probe = [["jalan", "mati", "baru"], ["xyz"], []]
    a = loaded.transform(probe)
    assert {"jalan", "rusak", "berlubang"} <= set(loaded._cache)  # warm from the shipped table
    cold = pickle.loads(pickle.dumps(fitted))
    cold.token_ids_ = None  # a model saved before the table existed
    b = cold.transform(probe)
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)
    cold.transform([["berlubang"]])
    for token in ("jalan", "berlubang"):
        assert np.array_equal(loaded._cache[token], cold._cache[token])


def test_the_per_token_matrix_equals_scikit_learns_vectoriser_with_rows_sorted():
    rng = np.random.default_rng(7)
    words = ["jalan", "rusak", "parah", "lampu", "mati", "air", "pdam", "berlubang", "sampah", "[NIK]", "x"]
    docs = [list(rng.choice(words, size=rng.integers(0, 30))) for _ in range(300)]
    fitted = CharNgramTfidf(min_df=1).fit(docs[:200])
    fast = fitted.transform(docs[100:])
    slow = fitted.vectorizer_.transform(docs[100:])  # scikit-learn's own counting, TF-IDF and l2 norm
    assert fast.has_sorted_indices and fast.dtype == slow.dtype
    slow.sort_indices()
    assert np.array_equal(fast.indptr, slow.indptr) and np.array_equal(fast.indices, slow.indices)
    assert np.allclose(fast.data, slow.data, rtol=1e-6, atol=0)
