"""The learned part of screening: word + character TF-IDF and logistic regression.

Trained on social-media text labelled for hate speech and abusive language (the Ibrohim & Budi
tweets: ``HS``, ``Abusive``, ``HS_Group`` …). The main head predicts *HS or Abusive*; optional
auxiliary heads (``Abusive``, ``HS_Group``) only choose the category of a model flag.
Input is the pipeline's own token stream (cleaned, PII-masked, lower-cased), with the tweet
artefacts ``USER``/``URL``/``RT`` removed so that the model cannot learn them as signals.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from pipeline.text.ngrams import CharNgramTfidf

AUX_HEADS = ("Abusive", "HS_Group")


def split_words(docs):
    """Whitespace tokens, as scikit-learn's ``char_wb`` analyzer splits a document."""
    return [d.split() for d in docs]


class AbuseModel(ClassifierMixin, BaseEstimator):
    """Binary classifier over model text (space-joined tokens); ``y`` is 0/1.

    ``aux`` (a dict of label name → 0/1 array, optional at ``fit``) trains extra heads on the same
    features; ``aux_proba`` returns their probabilities.
    """

    def __init__(self, C: float = 3.0, min_df: int = 2, char_ngram_range: tuple[int, int] = (2, 5),
                 max_char_features: int | None = 200_000, max_iter: int = 3000):
        self.C = C
        self.min_df = min_df
        self.char_ngram_range = char_ngram_range
        self.max_char_features = max_char_features
        self.max_iter = max_iter

    def fit(self, X, y, aux: dict | None = None):
        docs = list(X)
        y = np.asarray(y, dtype=int)
        chars = CharNgramTfidf(ngram_range=tuple(self.char_ngram_range), min_df=self.min_df,
                               max_features=self.max_char_features)
        self.features_ = FeatureUnion([
            ("word", TfidfVectorizer(ngram_range=(1, 2), min_df=self.min_df, sublinear_tf=True, dtype=np.float32)),
            ("char", Pipeline([("split", FunctionTransformer(split_words)), ("tfidf", chars)])),
        ])
        Xf = self.features_.fit_transform(docs)
        self.clf_ = LogisticRegression(C=self.C, max_iter=self.max_iter).fit(Xf, y)
        self.classes_ = self.clf_.classes_
        self.aux_ = {}
        for name, values in (aux or {}).items():
            values = np.asarray(values, dtype=int)
            if len(set(values.tolist())) == 2:
                self.aux_[name] = LogisticRegression(C=self.C, max_iter=self.max_iter).fit(Xf, values)
        word = dict(self.features_.transformer_list)["word"]
        self.word_index_ = {t: i for i, t in enumerate(word.get_feature_names_out()) if " " not in t}
        return self

    def transform_text(self, X):
        return self.features_.transform(list(X))

    def predict_proba(self, X):
        return self.clf_.predict_proba(self.transform_text(X))

    def proba_features(self, Xf) -> np.ndarray:
        return self.clf_.predict_proba(Xf)[:, 1]

    def aux_proba(self, Xf) -> dict[str, np.ndarray]:
        return {name: clf.predict_proba(Xf)[:, 1] for name, clf in self.aux_.items()}

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def word_weights(self, tokens: list[str]) -> list[tuple[int, float]]:
        """(token position, weight) for tokens that push towards a flag, strongest first."""
        coef = self.clf_.coef_[0]
        seen, out = set(), []
        for i, t in enumerate(tokens):
            j = self.word_index_.get(t)
            if j is None or t in seen:
                continue
            seen.add(t)
            if coef[j] > 0:
                out.append((i, float(coef[j])))
        out.sort(key=lambda x: -x[1])
        return out
