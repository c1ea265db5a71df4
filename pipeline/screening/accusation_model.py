"""The learned decision of the complaint-register accusation detector.

Spans come from :mod:`targets` (who) and :mod:`accusation` (what); this module pairs them — a target
and a predicate in the same clause or a neighbouring one — and scores the best pair with a logistic
regression over ~40 interpretable features (kind of target, kind of predicate, how close they are,
negation / hedge / prevention / hearsay cues, money amounts, unnamed actors nearby …).

Narrow interface: ``detect(text) -> Detection`` (score, the target and predicate spans in characters),
``fit(texts, y)``, ``decision_function(texts)``. With few weights it trains in well under a second,
so the default bundle can be fitted at build time from the hand labels plus ``../shared/data`` when
those are present, and from the self-written seed (``pipeline/resources/accusation_seed.tsv``)
otherwise.
"""

from __future__ import annotations

import csv
import math
from bisect import bisect_left
from dataclasses import dataclass
from importlib import resources

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from pipeline.screening.accusation import Predicate, could_find_predicates, find_predicates
from pipeline.screening.spans import Lexicon, Tokens, load_terms
from pipeline.screening.targets import Target, find_targets
from pipeline.text.tokens import tokenize_with_spans

STRENGTH = {"local_numbered": 1.0, "local": 0.9, "official_placed": 1.0, "named_person": 1.0, "named_org": 0.9,
            "account": 0.8, "plate": 0.8, "official": 0.4, "org": 0.4, "unnamed": 0.1}
NEAR, CLAUSE, LINKED = 12, 30, 30
AMOUNT_WORDS = frozenset({"ribu", "rb", "juta", "jt", "rupiah", "ribuan", "jutaan", "k"})
# predicate and target kinds in groups (few labelled positives per kind: groups keep the weights stable)
PRED_GROUPS = {"extort": "crime", "fraud": "crime", "corrupt": "crime", "threat": "harm", "violence": "harm",
               "sexual": "harm", "cover": "crime", "money": "money", "money_weak": "money_weak", "abuse": "abuse"}
TGT_GROUPS = {"local_numbered": "local", "local": "local", "official_placed": "identified", "named_person": "identified",
              "named_org": "identified", "account": "identified", "plate": "identified", "official": "vague",
              "org": "vague", "unnamed": "unnamed"}
FEATURES = (
    *(f"pred_{g}" for g in ("crime", "harm", "money", "money_weak", "abuse")), "pred_extort",
    *(f"tgt_{g}" for g in ("local", "identified", "vague", "unnamed", "none")), "tgt_named_person",
    "link_near", "link_clause", "link_linked", "negated", "hedged", "question", "preventive", "reported",
    "suffered", "clean_predicate", "kinds", "identifiable_pairs", "money_amount", "unnamed_near", "minimarket",
    "assert_cue", "only_self_or_addressee", "length",
    *(f"cell_{a}_{b}" for a in ("crime", "harm", "money", "money_weak", "abuse") for b in ("local", "identified", "vague")),
)


@dataclass(frozen=True)
class Detection:
    """The detector's view of one text: score in [0, 1], and the best target/predicate pair."""

    score: float
    target: Target | None
    predicate: Predicate | None
    tokens: Tokens
    also: tuple[Target, ...] = ()  # the same person named another way next to the target ("Pak Darto (ketua RW 2)")

    @property
    def targets(self) -> list[Target]:
        return ([self.target] if self.target else []) + list(self.also)

    def char_spans(self) -> list[tuple[int, int, str]]:
        """Evidence in characters of the scanned text: the accused and the accusation."""
        out = [(self.tokens.starts[t.start], self.tokens.ends[t.end - 1], "orang/lembaga yang dituduh")
               for t in self.targets]
        if self.predicate is not None:
            p = self.predicate
            out.append((self.tokens.starts[p.start], self.tokens.ends[p.end - 1], "tuduhan"))
        return out


def _pairs(tok: Tokens, targets: list[Target], predicates: list[Predicate]):
    """(score, link, target, predicate) for every usable pair (targets within reach only: linear)."""
    out = []
    starts = [t.start for t in targets]  # sorted by find_targets
    for p in predicates:
        quality = 1.0 - 0.5 * p.negated - 0.3 * p.hedged - 0.5 * p.preventive - 0.7 * p.innocent
        lo, hi = bisect_left(starts, p.start - LINKED - 12), bisect_left(starts, p.end + LINKED + 1)
        for t in targets[lo:hi]:
            if t.role or (t.start < p.end and p.start < t.end):
                continue
            gap = p.start - t.end if t.end <= p.start else t.start - p.end
            same = tok.clauses[t.start] == tok.clauses[p.start]
            adjacent = abs(tok.clauses[t.start] - tok.clauses[p.start]) == 1
            if same and gap <= NEAR:
                link = "near"
            elif same and gap <= CLAUSE:
                link = "clause"
            elif adjacent and gap <= LINKED:
                link = "linked"
            else:
                continue
            weight = {"near": 1.0, "clause": 0.75, "linked": 0.5}[link]
            out.append((STRENGTH[t.kind] * weight * max(quality, 0.05), link, t, p))
    return out


def analyse(tok: Tokens, lex: Lexicon) -> tuple[dict[str, float], Target | None, Predicate | None]:
    """Features of one text and its best (target, predicate) pair."""
    return _analyse(tok, lex)[:3]


def _analyse(tok: Tokens, lex: Lexicon):
    """:func:`analyse`, and the targets it found (``detect`` reads them again for the ``also`` spans)."""
    f = dict.fromkeys(FEATURES, 0.0)
    f["length"] = math.log1p(len(tok)) / 6
    predicates = find_predicates(tok, lex)
    if not predicates:
        f["tgt_none"] = 1.0
        return f, None, None, []
    targets = find_targets(tok, lex)
    f, t, p = _pair_features(f, tok, lex, predicates, targets)
    return f, t, p, targets


def _pair_features(f, tok: Tokens, lex: Lexicon, predicates: list[Predicate], targets: list[Target]):
    """The features that depend on the predicates and the targets, and the best pair."""
    pairs = _pairs(tok, targets, predicates)
    clean = [p for p in predicates if not (p.negated or p.hedged or p.preventive or p.innocent)]
    f["clean_predicate"] = float(bool(clean))
    f["kinds"] = min(3, len({p.kind for p in clean})) / 3
    norms = tok.norms
    f["money_amount"] = float(any(
        (w.isdigit() and i + 1 < len(norms) and norms[i + 1] in AMOUNT_WORDS) or (w == "rp" and i + 1 < len(norms))
        or (w[:1].isdigit() and w[-2:] in ("rb", "jt")) for i, w in enumerate(norms)))
    f["minimarket"] = float(not lex.words("minimarket").isdisjoint(norms))
    f["assert_cue"] = float(not lex.words("assert").isdisjoint(norms))
    if not pairs:
        f["tgt_none"] = 1.0
        f["only_self_or_addressee"] = float(any(t.role for t in targets))
        best_p = max(predicates, key=lambda p: not (p.negated or p.hedged or p.preventive or p.innocent))
        _predicate_features(f, tok, best_p)
        f["unnamed_near"] = float(any(t.kind == "unnamed" and tok.clauses[t.start] == tok.clauses[best_p.start]
                                      for t in targets))
        return f, None, best_p
    score, link, t, p = max(pairs, key=lambda x: (x[0], -abs(x[2].start - x[3].start)))
    f[f"tgt_{TGT_GROUPS[t.kind]}"] = 1.0
    f["tgt_named_person"] = float(t.kind == "named_person")
    f[f"link_{link}"] = 1.0
    _predicate_features(f, tok, p)
    f["identifiable_pairs"] = min(3, sum(1 for s, *_ in pairs if s >= 0.5)) / 3
    for s_, link_, t_, p_ in pairs:  # interactions: what kind of wrongdoing, by what kind of target
        group = TGT_GROUPS[t_.kind]
        if group != "unnamed":
            key = f"cell_{PRED_GROUPS[p_.kind]}_{group}"
            f[key] = max(f[key], s_ / STRENGTH[t_.kind])
    f["unnamed_near"] = float(any(x.kind == "unnamed" and tok.clauses[x.start] == tok.clauses[p.start]
                                  for x in targets))
    return f, t, p


def _predicate_features(f: dict[str, float], tok: Tokens, p: Predicate) -> None:
    group = f"pred_{PRED_GROUPS[p.kind]}"
    f[group] = 0.3 if p.innocent else 1.0
    f["pred_extort"] = float(p.kind == "extort")
    for cue in ("negated", "hedged", "preventive", "reported", "suffered"):
        f[cue] = float(getattr(p, cue))
    f["question"] = float(tok.clauses[p.start] in tok.questions)


class AccusationDetector(BaseEstimator):
    """Accusation against an identifiable person or body, in the complaint register.

    ``fit(X, y)``: ``X`` texts (cleaned), ``y`` 0/1 (``needs_review`` for defamation risk).
    ``threshold`` is the score at or above which a text is flagged (chosen on time-based folds by
    :mod:`pipeline.screening.accusation_eval`; the default suits the bundled weights).
    """

    def __init__(self, C: float = 1.0, threshold: float = 0.5, terms_path: str | None = None):
        self.C = C
        self.threshold = threshold
        self.terms_path = terms_path

    def _lex(self) -> Lexicon:
        return load_terms(self.terms_path)

    def features(self, texts) -> np.ndarray:
        lex = self._lex()
        rows = [analyse(_scan(t, None, lex), lex)[0] for t in texts]
        return np.array([[r[k] for k in FEATURES] for r in rows], dtype=float)

    def fit(self, X, y):
        y = np.asarray(y, dtype=int)
        if len(set(y.tolist())) < 2:
            raise ValueError("training data must contain both flagged and unflagged examples")
        self.model_ = LogisticRegression(C=self.C, max_iter=2000).fit(self.features(X), y)
        self.features_ = FEATURES
        return self

    def decision_scores(self, X) -> np.ndarray:
        """Probability-like score per text (0 for texts without any wrongdoing word)."""
        return self.model_.predict_proba(self.features(X))[:, 1]

    def predict(self, X) -> np.ndarray:
        return self.decision_scores(X) >= self.threshold

    def could_fire(self, norms) -> bool:
        """Cheap pre-check on a token set: without a predicate's first word the score is ~0."""
        return self._lex().could_fire(norms)

    def could_find(self, norms) -> bool:
        """Pre-check on the token sequence, no spans needed: False means :meth:`detect` finds no predicate."""
        return could_find_predicates(norms, self._lex())

    def detect(self, text: str, spans: list[tuple[str, int, int]] | None = None) -> Detection:
        """Score one (cleaned) text and return its best target/predicate pair."""
        lex = self._lex()
        return self._detect(_scan(text, spans, lex), lex)

    def detect_tokens(self, text: str, norms, char_spans) -> Detection:
        """:meth:`detect` of a text whose tokens are known: ``norms`` at ``char_spans`` (``(start, end)`` pairs),
        the same as ``detect(text, [(n, s, e) for n, (s, e) in zip(norms, char_spans)])`` without building them."""
        lex = self._lex()
        n = min(len(norms), len(char_spans))
        if not lex.could_fire(set(norms[:n])):
            return self._detect(EMPTY, lex)
        return self._detect(Tokens.of(text, norms[:n], char_spans[:n]), lex)

    def _detect(self, tok: Tokens, lex: Lexicon) -> Detection:
        f, t, p, targets = _analyse(tok, lex)
        if p is None:
            return Detection(0.0, None, None, tok)
        score = self._score(np.array([[f[k] for k in FEATURES]]))
        also: tuple[Target, ...] = ()
        if t is not None:
            also = tuple(o for o in targets if o != t and not o.role and o.kind not in ("unnamed", "org")
                         and (0 <= t.start - o.end <= 3 or 0 <= o.start - t.end <= 3)
                         and tok.clauses[o.start] == tok.clauses[t.start])[:2]
        return Detection(score, t, p, tok, also)

    def _score(self, row: np.ndarray) -> float:
        """``predict_proba(row)[0, 1]`` of the fitted logistic regression, without scikit-learn's per-call
        input checks (≈0.3 ms, more than the rest of a call): the same operations on the same arrays."""
        model = self.model_
        if type(model) is LogisticRegression and len(model.classes_) == 2 and model.coef_.shape[0] == 1:
            return float(expit((row @ model.coef_.T + model.intercept_).reshape(-1))[0])
        return float(model.predict_proba(row)[0, 1])

    def weights(self) -> dict[str, float]:
        """Feature → weight, for the model card and for operators who ask why."""
        return {k: round(float(w), 3) for k, w in zip(self.features_, self.model_.coef_[0])}


EMPTY = Tokens("", (), (), (), (), (), frozenset())


def _scan(text: str, spans, lex: Lexicon) -> Tokens:
    """Tokens of ``text``, or no tokens when no predicate word occurs (most complaints: nothing to pair)."""
    spans = tokenize_with_spans(text) if spans is None else spans
    if not lex.could_fire({s[0] for s in spans}):
        return EMPTY
    return Tokens.scan(text, spans)


def seed_examples() -> tuple[list[str], list[int]]:
    """The self-written seed set (no real complaints): texts and 0/1 labels."""
    source = resources.files("pipeline.resources") / "accusation_seed.tsv"
    texts, labels = [], []
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            texts.append(row["text"])
            labels.append(int(row["label"]))
    return texts, labels
