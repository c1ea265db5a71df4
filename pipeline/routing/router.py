"""The OPD router: suggests the responsible unit, with calibrated confidence and an abstain rule.

Design:
- a linear SVM over word (stemmed uni+bigram) and character n-gram TF-IDF features;
- area offices are learned as *kinds* and resolved to a concrete office by :mod:`pipeline.routing.areas`;
- scores are calibrated with a softmax temperature fitted on time-based hold-outs: the latest
  ``validation_fraction`` of complaints, cut into ``validation_folds`` consecutive blocks, each
  predicted by a model trained on everything before it (as a deployed model meets next month's
  complaints). The auto-route threshold is the lowest confidence at which the pooled hold-out
  suggestions reach ``target_precision + threshold_margin``: precision measured on the past
  overstates precision on the future, which drifts. The final model is then refitted on all data;
- recent complaints weigh more (``recency_half_life_days``) because topics drift.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.svm import LinearSVC

from pipeline.document import Document
from pipeline.routing.areas import AreaOffices
from pipeline.routing.calibration import softmax
from pipeline.routing.explain import class_weights, explanation_terms_many, word_vocabulary
from pipeline.routing.features import DocumentTokens, build_text_features
from pipeline.routing.frame import as_frame, parse_times
from pipeline.routing.result import Routing, Suggestion
from pipeline.routing.token_features import TokenFeatures
from pipeline.routing.validation import recency_weights, time_folds, validate


class OpdRouter(ClassifierMixin, BaseEstimator):
    """Suggest the responsible OPD for complaint texts (see module docstring).

    ``X`` is a DataFrame with ``text`` and optionally ``kelurahan``, ``kecamatan``, ``created_at``;
    ``y`` the exact unit names.
    """

    def __init__(
        self,
        C: float = 0.5,
        min_df: int = 2,
        char_ngram_range: tuple[int, int] = (2, 5),
        max_char_features: int | None = 200_000,
        recency_half_life_days: float | None = 180.0,
        target_precision: float = 0.95,
        validation_fraction: float = 0.2,
        validation_folds: int = 2,
        threshold_margin: float = 0.01,
        class_threshold_support: int = 20,
        min_auto_route_support: int = 20,
        top_k: int = 5,
        n_explanation_terms: int = 5,
        areas: AreaOffices | None = None,
        slang_dictionary_path: str | None = None,
    ):
        self.C = C
        self.min_df = min_df
        self.char_ngram_range = char_ngram_range
        self.max_char_features = max_char_features
        self.recency_half_life_days = recency_half_life_days
        self.target_precision = target_precision
        self.validation_fraction = validation_fraction
        self.validation_folds = validation_folds
        self.threshold_margin = threshold_margin
        self.class_threshold_support = class_threshold_support
        self.min_auto_route_support = min_auto_route_support
        self.top_k = top_k
        self.n_explanation_terms = n_explanation_terms
        self.areas = areas
        self.slang_dictionary_path = slang_dictionary_path

    # -- training --------------------------------------------------------------------------
    def fit(self, X, y):
        df = as_frame(X)
        y = np.asarray([str(v) for v in y], dtype=object)
        if len(df) != len(y):
            raise ValueError(f"X has {len(df)} rows but y has {len(y)}")
        if len(set(y)) < 2:
            raise ValueError("training data must contain at least two different units")
        self.areas_ = clone(self.areas) if self.areas is not None else AreaOffices()
        self.areas_.fit(y, df["kelurahan"], df["kecamatan"])
        times = parse_times(df["created_at"])
        weights = recency_weights(times, self.recency_half_life_days)

        self.temperature_ = 1.0
        self.threshold_ = None
        self.class_thresholds_ = {}
        self.validation_ = None
        self.holdout_ = None
        folds = []
        for train_idx, val_idx in time_folds(times, self.validation_fraction, self.validation_folds):
            if len(set(y[train_idx])) < 2:
                continue  # too early in time to hold anything out
            self._fit_core(df.iloc[train_idx], y[train_idx], weights[train_idx])
            folds.append((self.classes_, self._scores(df.iloc[val_idx]), val_idx))
        if folds:
            self.validation_ = validate(self, folds, df, y, times)
        self._fit_core(df, y, weights)
        self.labels_ = sorted(set(y))
        return self

    def _fit_core(self, df: pd.DataFrame, y: np.ndarray, weights: np.ndarray) -> None:
        self.features_ = build_text_features(
            min_df=self.min_df,
            char_ngram_range=tuple(self.char_ngram_range),
            max_char_features=self.max_char_features,
            slang_dictionary_path=self.slang_dictionary_path,
        )
        self.__dict__.pop("_fast_features", None)
        Xf = self.features_.fit_transform(Document.many(df["text"]))
        classes = np.asarray([self.areas_.to_class(v) for v in y], dtype=object)
        self.svm_ = LinearSVC(C=self.C).fit(Xf, classes, sample_weight=weights)
        self.classes_ = self.svm_.classes_

    # -- prediction ------------------------------------------------------------------------
    def _auto(self, confidence: float, cls: str) -> bool:
        """Auto-route: the unit's own threshold where it earned one, else the global one."""
        threshold = getattr(self, "class_thresholds_", {}).get(str(cls), self.threshold_)
        return threshold is not None and confidence >= threshold

    def _scores(self, df: pd.DataFrame) -> np.ndarray:
        return self._decision(self._features(Document.many(df["text"])))

    def _features(self, docs: Sequence[Document]):
        """Feature matrix (CSR) of analysed documents."""
        first = self.features_.steps[0][1]
        if isinstance(first, DocumentTokens):
            fast = self.__dict__.get("_fast_features", False)
            if fast is False:  # per distinct token, the same matrix (None: a pipeline of another shape)
                fast = self._fast_features = TokenFeatures.of(self.features_)
            return (fast or self.features_).transform(docs)
        return self.features_.transform([d.original for d in docs])  # a model pickled before documents existed

    def _decision(self, Xf) -> np.ndarray:
        scores = self.svm_.decision_function(Xf)
        if scores.ndim == 1:  # two classes: LinearSVC returns the score of classes_[1]
            scores = np.column_stack([-scores, scores])
        return scores

    def route(self, X, explain: bool = True, documents: Sequence[Document] | None = None) -> list[Routing]:
        """One :class:`Routing` per row of ``X``; ``documents`` (one per row) are used instead of analysing ``X.text``."""
        df = as_frame(X)
        if df.empty:
            return []
        docs = list(documents) if documents is not None else Document.many(df["text"])
        if len(docs) != len(df):
            raise ValueError(f"{len(docs)} documents for {len(df)} rows")
        Xf = self._features(docs).tocsr()
        return self._routings(df, self._decision(Xf), explain=explain, Xf=Xf, docs=docs)

    def predict(self, X):
        return np.asarray([r.opd for r in self.route(X, explain=False)], dtype=object)

    def probabilities(self, Xf) -> np.ndarray:
        """Calibrated probabilities over :attr:`classes_` for a feature matrix (rows of :meth:`_features`)."""
        return softmax(self._decision(Xf), self.temperature_)

    def _routings(self, df, scores, explain: bool, Xf=None, docs=None, proba=None, classes=None) -> list[Routing]:
        """Routings from SVM ``scores``, or from ``proba`` over ``classes`` (a blend that may know more units).

        Ranks come out of numpy once, as plain lists (per-element numpy indexing cost more than the
        ranking itself), and each row stops once it holds ``top_k`` suggestions."""
        classes = self.classes_ if classes is None else classes
        proba = softmax(scores, self.temperature_) if proba is None else proba
        k = min(len(classes), max(self.top_k, 3) + 2)
        top = np.argsort(-proba, axis=1)[:, :k]
        top_p = np.take_along_axis(proba, top, axis=1).round(6).tolist()
        top = top.tolist()
        names = list(classes)
        kinds = [self.areas_.class_kind(c) for c in names]
        resolve, auto_route, top_k = self.areas_.resolve, self._auto, self.top_k
        n_known = len(self.classes_)
        out = []
        explained: list[int] = []  # rows whose explanation terms are wanted, and the class they were routed to
        explained_class: list[int] = []
        texts = docs if docs is not None else df["text"]
        rows = zip(df["kelurahan"], df["kecamatan"], texts, top, top_p)
        for i, (kelurahan, kecamatan, text, ranked, ranked_p) in enumerate(rows):
            suggestions: list[Suggestion] = []
            area = None
            best_class = None
            for j, p in zip(ranked, ranked_p):
                kind = kinds[j]
                opd = names[j]
                if kind is not None:
                    res = resolve(kind, kelurahan, kecamatan, text)
                    if res is None:
                        continue  # area unknown: this kind cannot name an office
                    opd = res.office
                    if not suggestions:
                        area = res
                if not suggestions:
                    best_class = j
                suggestions.append(Suggestion(opd, p))
                if len(suggestions) >= top_k:
                    break
            suggestions = suggestions[:top_k]
            best = suggestions[0] if suggestions else None
            confidence = best.p if best else 0.0
            auto = best is not None and auto_route(confidence, names[best_class])
            if explain and Xf is not None and best is not None and best_class < n_known:
                explained.append(i)
                explained_class.append(best_class)
            out.append(Routing(best.opd if best else None, confidence, suggestions, auto, [], area))
        if explained:  # all rows' terms in one pass (pipeline/routing/explain.py explanation_terms_many)
            for i, terms in zip(explained, self._terms_many(Xf, explained, explained_class)):
                out[i].terms = terms
        return out

    def _terms_many(self, Xf, rows, class_indices) -> list[list[tuple[str, float]]]:
        vocab = self.__dict__.get("_vocab_cache")
        if vocab is None:
            vocab = self._vocab_cache = word_vocabulary(self.features_)
        return explanation_terms_many(Xf, rows, class_indices, class_weights(self.svm_.coef_), vocab,
                                      self.n_explanation_terms)

    def __getstate__(self):
        state = self.__dict__.copy()
        # caches rebuilt lazily (fit caches: pipeline/routing/fit.py)
        for cache in ("_vocab_cache", "_fast_features", "_known_tokens", "_area_fit_cache", "_known_share_sets"):
            state.pop(cache, None)
        return state
