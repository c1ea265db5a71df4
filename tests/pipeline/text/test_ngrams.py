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


def _per_occurrence_counts(fitted, unique, positions, indptr):
    """The count matrix as first written: one entry per token occurrence, n-grams counted per occurrence."""
    import scipy.sparse as sp

    docs = sp.csr_matrix((np.ones(len(positions), dtype=np.float32), positions.astype(np.int32), indptr),
                         shape=(len(indptr) - 1, len(unique)))
    cache = fitted._warm_cache()
    grams = [cache.get(t) if t in cache else fitted._ids(t, cache) for t in unique]
    token_ptr = np.concatenate([[0], np.cumsum([len(g) for g in grams])])
    ids = np.concatenate(grams)
    grams_of = sp.csc_matrix((np.ones(len(ids), dtype=np.float32), ids, token_ptr),
                             shape=(len(fitted.vectorizer_.vocabulary_), len(unique))).tocsr()
    counts = (grams_of @ docs.T.tocsr()).T.tocsr()
    np.log(counts.data, out=counts.data)
    counts.data += 1
    counts.data *= fitted.vectorizer_.idf_.astype(np.float32)[counts.indices]
    from sklearn.preprocessing import normalize

    return normalize(counts, norm="l2", copy=False)


def test_counting_repeated_words_once_per_document_gives_the_per_occurrence_matrix_exactly(demo_dir):
    import pandas as pd

    from pipeline.text.ngrams import index_tokens
    from pipeline.text.tokens import tokenize

    texts = pd.read_csv(demo_dir / "complaints.csv", dtype=str, keep_default_na=False)["text"].tolist()
    real = [tokenize(t) for t in texts]
    rng = np.random.default_rng(5)
    words = ["jalan", "aaaa", "aa", "mati", "[nik]", "x", "rusakrusak", "air"]
    repeats = [list(rng.choice(words, size=rng.integers(0, 60))) for _ in range(300)] + [[], ["jalan"] * 500]
    fitted = CharNgramTfidf().fit(real)
    for docs in (real, repeats, real[:50] + repeats[:50]):
        unique, positions, indptr = index_tokens(docs)
        fast = fitted.transform_indexed(unique, positions, indptr)
        slow = _per_occurrence_counts(fitted, unique, positions, indptr)
        assert fast.dtype == slow.dtype and fast.has_sorted_indices
        assert np.array_equal(fast.indptr, slow.indptr) and np.array_equal(fast.indices, slow.indices)
        assert np.array_equal(fast.data, slow.data)  # value for value
