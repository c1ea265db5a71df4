"""The OPD router: suggests the responsible unit, with calibrated confidence and an abstain rule.

Design:
- a linear SVM over word (stemmed uni+bigram) and character n-gram TF-IDF features;
- area offices are learned as *kinds* and resolved to a concrete office by :mod:`pipeline.areas`;
- scores are calibrated with a softmax temperature fitted on time-based hold-outs: the latest
  ``validation_fraction`` of complaints, cut into ``validation_folds`` consecutive blocks, each
  predicted by a model trained on everything before it (as a deployed model meets next month's
  complaints). The auto-route threshold is the lowest confidence at which the pooled hold-out
  suggestions reach ``target_precision + threshold_margin``: precision measured on the past
  overstates precision on the future, which drifts. The final model is then refitted on all data;
- recent complaints weigh more (``recency_half_life_days``) because topics drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.svm import LinearSVC

from pipeline.areas import AreaOffices, Resolution
from pipeline.features import WORD_BLOCK, build_text_features

COLUMNS = ("text", "kelurahan", "kecamatan", "created_at")


@dataclass
class Suggestion:
    opd: str
    p: float


@dataclass
class Routing:
    opd: str | None
    confidence: float
    top_k: list[Suggestion]
    auto_route: bool
    terms: list[tuple[str, float]] = field(default_factory=list)
    area: Resolution | None = None

    @property
    def explanation(self) -> str:
        """Why, for the operator (Bahasa Indonesia)."""
        parts = []
        if self.terms:
            parts.append("kata kunci: " + ", ".join(t for t, _ in self.terms))
        if self.area is not None:
            where = {"text": "disebut dalam teks"}.get(self.area.source, "dari data wilayah pengaduan")
            parts.append(f"kantor wilayah {self.area.area} ({where})")
        if not parts:
            parts.append("tidak ada kata kunci yang menonjol")
        return "; ".join(parts)


def as_frame(X) -> pd.DataFrame:
    """Accept a DataFrame with a ``text`` column or a plain sequence of texts."""
    if isinstance(X, pd.DataFrame):
        df = X.copy()
    else:
        df = pd.DataFrame({"text": list(X)})
    for col in COLUMNS:
        if col not in df.columns:
            df[col] = "" if col != "created_at" else pd.NaT
    df["text"] = df["text"].fillna("").astype(str)
    for col in ("kelurahan", "kecamatan"):
        df[col] = df[col].fillna("").astype(str)
    return df


def parse_times(values: pd.Series) -> pd.Series:
    """Timestamps as naive UTC; unparseable or missing values become NaT."""
    times = pd.to_datetime(values.replace("", None), errors="coerce", utc=True, format="mixed")
    return times.dt.tz_localize(None)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, y_index: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of the true class."""
    return fit_temperature_folds([scores], [y_index])


def fit_temperature_folds(scores: list[np.ndarray], y_index: list[np.ndarray]) -> float:
    """One temperature for several score matrices (folds may know different classes)."""
    total = sum(len(y) for y in y_index)

    def nll(log_t: float) -> float:
        t = float(np.exp(log_t))
        loss = 0.0
        for s, y in zip(scores, y_index):
            if len(y):
                p = softmax(s, t)
                loss -= np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None)).sum()
        return loss / total

    res = minimize_scalar(nll, bounds=(np.log(0.005), np.log(20.0)), method="bounded")
    return float(np.exp(res.x))


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, target: float, min_support: int) -> float | None:
    """Lowest confidence at which the suggestions at or above it reach ``target`` precision.

    Returns ``None`` when no threshold with at least ``min_support`` suggestions reaches it: the
    router then never auto-routes, which is the honest answer.
    """
    order = np.argsort(-confidence, kind="stable")
    conf = confidence[order]
    hits = np.cumsum(correct[order])
    n = np.arange(1, len(conf) + 1)
    precision = hits / n
    ok = np.nonzero((precision >= target) & (n >= min_support))[0]
    # only cut between distinct confidence values
    ok = [k for k in ok if k == len(conf) - 1 or conf[k] > conf[k + 1]]
    if not ok:
        return None
    return float(conf[max(ok)])


def choose_unit_thresholds(confidence: np.ndarray, correct: np.ndarray, predicted: np.ndarray, target: float,
                           min_support: int, global_threshold: float | None) -> dict[str, float]:
    """Per-unit thresholds below the global one, for units whose own suggestions reach ``target``.

    Every unit kept meets the target on its own, so the auto-routed suggestions as a whole do too,
    while reliable units (an ID-card office, street lights) are no longer held to the confidence
    that the hardest units need. ``min_support`` suggestions per unit keep this from chasing noise.
    """
    out: dict[str, float] = {}
    if not min_support:
        return out
    for unit in np.unique(predicted):
        mask = predicted == unit
        if mask.sum() < min_support:
            continue
        t = choose_threshold(confidence[mask], correct[mask], target, min_support)
        if t is not None and (global_threshold is None or t < global_threshold):
            out[str(unit)] = t
    return out


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
        weights = self._recency_weights(times)

        self.temperature_ = 1.0
        self.threshold_ = None
        self.class_thresholds_ = {}
        self.validation_ = None
        folds = []
        for train_idx, val_idx in self._time_folds(times):
            if len(set(y[train_idx])) < 2:
                continue  # too early in time to hold anything out
            self._fit_core(df.iloc[train_idx], y[train_idx], weights[train_idx])
            folds.append((self.classes_, self._scores(df.iloc[val_idx]), val_idx))
        if folds:
            self.validation_ = self._validate(folds, df, y, times)
        self._fit_core(df, y, weights)
        self.labels_ = sorted(set(y))
        return self

    def _recency_weights(self, times: pd.Series) -> np.ndarray:
        if not self.recency_half_life_days or times.isna().all():
            return np.ones(len(times))
        age = (times.max() - times).dt.total_seconds().fillna(0).to_numpy() / 86400.0
        return np.power(0.5, age / float(self.recency_half_life_days))

    def _time_folds(self, times: pd.Series) -> list[tuple[np.ndarray, np.ndarray]]:
        """Rolling-origin folds over the latest ``validation_fraction`` of complaints.

        Fold k trains on everything before its block and validates on the block, as a deployed model
        would meet the next weeks' complaints. Several folds make the threshold robust to drift.
        """
        n = len(times)
        n_val = int(round(n * self.validation_fraction))
        n_folds = max(1, int(self.validation_folds))
        if not self.validation_fraction or n_val < 10 * n_folds or n - n_val < 20:
            return []
        keys = times.to_numpy(dtype="datetime64[ns]").view("int64")  # NaT is the smallest int64
        order = np.argsort(keys, kind="stable")  # undated rows train; the latest dated rows validate
        bounds = np.linspace(n - n_val, n, n_folds + 1).round().astype(int)
        return [(np.sort(order[:lo]), np.sort(order[lo:hi])) for lo, hi in zip(bounds[:-1], bounds[1:])]

    def _fit_core(self, df: pd.DataFrame, y: np.ndarray, weights: np.ndarray) -> None:
        self.features_ = build_text_features(
            min_df=self.min_df,
            char_ngram_range=tuple(self.char_ngram_range),
            max_char_features=self.max_char_features,
            slang_dictionary_path=self.slang_dictionary_path,
        )
        Xf = self.features_.fit_transform(df["text"].tolist())
        classes = np.asarray([self.areas_.to_class(v) for v in y], dtype=object)
        self.svm_ = LinearSVC(C=self.C).fit(Xf, classes, sample_weight=weights)
        self.classes_ = self.svm_.classes_

    def _validate(self, folds, df: pd.DataFrame, y: np.ndarray, times: pd.Series) -> dict:
        """Fit the temperature on all folds, then take the strictest per-fold threshold."""
        fitted_classes = self.classes_
        pooled_scores, pooled_idx, per_fold = [], [], []
        for classes, scores, val_idx in folds:
            index = {c: i for i, c in enumerate(classes)}
            target = [index.get(self.areas_.to_class(v), -1) for v in y[val_idx]]
            known = np.array([t >= 0 for t in target])
            pooled_scores.append(scores[known])
            pooled_idx.append(np.array(target)[known])
            per_fold.append((classes, scores, val_idx, known))
        if sum(len(i) for i in pooled_idx) >= 5:
            self.temperature_ = fit_temperature_folds(pooled_scores, pooled_idx)

        correct_all, top3_all, conf_all, known_all, thresholds, pred_all = [], [], [], [], [], []
        for classes, scores, val_idx, known in per_fold:
            self.classes_ = classes
            routings = self._routings(df.iloc[val_idx], scores, explain=False)
            truth = y[val_idx]
            correct = np.array([r.opd == t for r, t in zip(routings, truth)])
            conf = np.array([r.confidence for r in routings])
            thresholds.append(choose_threshold(conf, correct, self.target_precision,
                                               max(1, self.min_auto_route_support // len(folds))))
            correct_all.append(correct)
            conf_all.append(conf)
            pred_all.append(np.array([self.areas_.to_class(r.opd or "") for r in routings], dtype=object))
            known_all.append(known)
            top3_all.append(np.array([t in [s.opd for s in r.top_k[:3]] for r, t in zip(routings, truth)]))
        self.classes_ = fitted_classes
        correct, conf = np.concatenate(correct_all), np.concatenate(conf_all)
        # pooled over folds, with a safety margin: validation precision overstates later precision
        target = min(1.0, self.target_precision + self.threshold_margin)
        self.threshold_ = choose_threshold(conf, correct, target, self.min_auto_route_support)
        # units whose own hold-out suggestions reach the target at a lower confidence get their own threshold:
        # each kept unit meets the target, so the auto-routed whole does too
        pred = np.concatenate(pred_all)
        self.class_thresholds_ = choose_unit_thresholds(conf, correct, pred, target, self.class_threshold_support,
                                                        self.threshold_)
        auto = np.array([self._auto(c, p) for c, p in zip(conf, pred)], dtype=bool)
        val_times = times.iloc[np.concatenate([f[2] for f in folds])]
        return {
            "split": "time",
            "folds": len(folds),
            "n_validation": int(len(correct)),
            "validation_from": str(val_times.min()) if val_times.notna().any() else None,
            "validation_to": str(val_times.max()) if val_times.notna().any() else None,
            "top1_accuracy": float(correct.mean()),
            "top3_accuracy": float(np.concatenate(top3_all).mean()),
            "unseen_label_share": float((~np.concatenate(known_all)).mean()),
            "temperature": self.temperature_,
            "target_precision": self.target_precision,
            "fold_thresholds": thresholds,
            "threshold": self.threshold_,
            "unit_thresholds": self.class_thresholds_,
            "auto_route_coverage": float(auto.mean()),
            "auto_route_precision": float(correct[auto].mean()) if auto.any() else None,
        }

    # -- prediction ------------------------------------------------------------------------
    def _auto(self, confidence: float, cls: str) -> bool:
        """Auto-route: the unit's own threshold where it earned one, else the global one."""
        threshold = getattr(self, "class_thresholds_", {}).get(str(cls), self.threshold_)
        return threshold is not None and confidence >= threshold

    def _scores(self, df: pd.DataFrame) -> np.ndarray:
        return self._decision(self.features_.transform(df["text"].tolist()))

    def _decision(self, Xf) -> np.ndarray:
        scores = self.svm_.decision_function(Xf)
        if scores.ndim == 1:  # two classes: LinearSVC returns the score of classes_[1]
            scores = np.column_stack([-scores, scores])
        return scores

    def _coef(self, class_index: int) -> np.ndarray:
        coef = self.svm_.coef_
        if coef.shape[0] == 1:
            return coef[0] if class_index == 1 else -coef[0]
        return coef[class_index]

    def route(self, X, explain: bool = True) -> list[Routing]:
        df = as_frame(X)
        if df.empty:
            return []
        Xf = self.features_.transform(df["text"].tolist()).tocsr()
        return self._routings(df, self._decision(Xf), explain=explain, Xf=Xf)

    def predict(self, X):
        return np.asarray([r.opd for r in self.route(X, explain=False)], dtype=object)

    def _routings(self, df, scores, explain: bool, Xf=None) -> list[Routing]:
        proba = softmax(scores, self.temperature_)
        k = min(len(self.classes_), max(self.top_k, 3) + 2)
        top = np.argsort(-proba, axis=1)[:, :k]
        top_p = np.take_along_axis(proba, top, axis=1).round(6).tolist()
        kinds = [self.areas_.class_kind(c) for c in self.classes_]
        out = []
        rows = zip(df["kelurahan"], df["kecamatan"], df["text"])
        for i, (kelurahan, kecamatan, text) in enumerate(rows):
            suggestions: list[Suggestion] = []
            area = None
            best_class = None
            for j, p in zip(top[i], top_p[i]):
                kind = kinds[j]
                opd = self.classes_[j]
                if kind is not None:
                    res = self.areas_.resolve(kind, kelurahan, kecamatan, text)
                    if res is None:
                        continue  # area unknown: this kind cannot name an office
                    opd = res.office
                    if not suggestions:
                        area = res
                if not suggestions:
                    best_class = j
                suggestions.append(Suggestion(opd, p))
            suggestions = suggestions[: self.top_k]
            best = suggestions[0] if suggestions else None
            confidence = best.p if best else 0.0
            auto = best is not None and self._auto(confidence, self.classes_[best_class])
            terms = self._terms(Xf, i, best_class) if explain and Xf is not None and best is not None else []
            out.append(Routing(best.opd if best else None, confidence, suggestions, auto, terms, area))
        return out

    def _terms(self, Xf, i: int, class_index: int) -> list[tuple[str, float]]:
        """Word features that pushed this complaint toward the class (weight × tf-idf value)."""
        vocab = self._word_vocabulary()
        lo, hi = Xf.indptr[i], Xf.indptr[i + 1]
        idx, values = Xf.indices[lo:hi], Xf.data[lo:hi]
        word = idx < len(vocab)
        idx, values = idx[word], values[word]
        if idx.size == 0:
            return []
        contrib = values * self._coef(class_index)[idx]
        order = np.argsort(-contrib)[: self.n_explanation_terms]
        order = order[contrib[order] > 0]
        return list(zip(vocab[idx[order]].tolist(), contrib[order].round(4).tolist()))

    def _word_vocabulary(self) -> np.ndarray:
        cached = getattr(self, "_vocab_cache", None)
        if cached is None:
            union = self.features_.named_steps["features"]
            word = dict(union.transformer_list)[WORD_BLOCK]
            cached = word.named_steps["tfidf"].get_feature_names_out()
            self._vocab_cache = cached
        return cached

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_vocab_cache", None)
        return state
