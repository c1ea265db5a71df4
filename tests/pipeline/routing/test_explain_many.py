"""The batched explanation terms equal the per-row definition (values, order, ties) on rows built to be awkward."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from pipeline.routing.explain import class_weights, explanation_terms, explanation_terms_many


def _case(seed: int, n_classes: int):
    rng = np.random.default_rng(seed)
    n_rows, n_features, n_vocab = 300, 60, 40
    dense = rng.choice([0.0, 0.0, 0.0, 0.1, 0.25, 0.5], size=(n_rows, n_features)) * rng.integers(1, 3, (n_rows, 1))
    dense[::7] = 0.0  # empty rows
    dense[1::11, :n_vocab] = 0.0  # rows with character features only
    Xf = sp.csr_matrix(dense)
    coef = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0], size=(n_classes, n_features))  # many ties
    coef[:, ::5] += rng.normal(size=(n_classes, n_features))[:, ::5]
    vocab = np.asarray([f"t{j}" for j in range(n_vocab)], dtype=object)
    return rng, Xf, coef, vocab


def _one_by_one(Xf, rows, classes, coef, vocab, n_terms):
    weights = class_weights(coef)
    return [explanation_terms(Xf, i, weights[c], vocab, n_terms) for i, c in zip(rows, classes)]


def test_many_rows_at_once_equal_the_per_row_terms_ties_included():
    for seed in range(5):
        rng, Xf, coef, vocab = _case(seed, n_classes=4)
        rows = rng.permutation(Xf.shape[0])[:250]
        classes = rng.integers(0, 4, size=len(rows))
        for n_terms in (1, 3, 5, 50):
            expected = _one_by_one(Xf, rows, classes, coef, vocab, n_terms)
            assert explanation_terms_many(Xf, rows, classes, class_weights(coef), vocab, n_terms) == expected
            assert any(len(e) == n_terms for e in expected) == (n_terms <= 5) and any(e == [] for e in expected)


def test_two_classes_use_the_negated_row_for_class_zero():
    rng, Xf, coef, vocab = _case(7, n_classes=1)
    rows = np.arange(Xf.shape[0])
    classes = rng.integers(0, 2, size=len(rows))
    router_coef = lambda c: coef[0] if c == 1 else -coef[0]  # how the router read a two-class model's weights before class_weights
    expected = [explanation_terms(Xf, i, router_coef(c), vocab, 5) for i, c in zip(rows, classes)]
    assert explanation_terms_many(Xf, rows, classes, class_weights(coef), vocab, 5) == expected


def test_no_rows_and_rows_without_features():
    _, Xf, coef, vocab = _case(3, n_classes=3)
    assert explanation_terms_many(Xf, [], [], coef, vocab, 5) == []
    assert explanation_terms_many(Xf, [0, 7], [1, 2], coef, vocab, 5) == [[], []]


def test_rows_without_ties_take_the_batched_order():
    rng, Xf, _, vocab = _case(11, n_classes=3)
    coef = rng.normal(size=(3, Xf.shape[1]))  # continuous weights: no two contributions of a row are equal
    rows, classes = np.arange(Xf.shape[0]), rng.integers(0, 3, size=Xf.shape[0])
    expected = _one_by_one(Xf, rows, classes, coef, vocab, 5)
    assert explanation_terms_many(Xf, rows, classes, coef, vocab, 5) == expected


def test_entries_stored_out_of_column_order_keep_their_order():
    """np.argsort breaks ties by position: the batched path must see each row's entries in the stored order."""
    rng, Xf, coef, vocab = _case(5, n_classes=2)
    for i in range(Xf.shape[0]):  # shuffle each row's stored entries
        lo, hi = Xf.indptr[i], Xf.indptr[i + 1]
        perm = lo + rng.permutation(hi - lo)
        Xf.indices[lo:hi], Xf.data[lo:hi] = Xf.indices[perm], Xf.data[perm]
    Xf.has_sorted_indices = False
    rows, classes = np.arange(Xf.shape[0]), rng.integers(0, 2, size=Xf.shape[0])
    assert explanation_terms_many(Xf, rows, classes, coef, vocab, 3) == _one_by_one(Xf, rows, classes, coef, vocab, 3)
