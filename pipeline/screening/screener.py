"""The Screener: rules + learned model with a domain-aware decision, and evidence in the original text.

Decision by register (how the text is written), because the model is trained on tweets and the
target is complaints (a tweet-trained model flags ~4 % of ordinary complaints, nearly all wrongly):

- ``social`` (tweet markers: ``USER``, ``URL``, ``RT``, hashtags, mentions): the model decides
  (threshold chosen on a hold-out for F1), rules add their flags;
- ``complaint`` (complaint vocabulary or long text): only rule evidence flags. A look-alike word
  that is not aimed at anyone ("bego", "anjing") counts only when the model is very sure
  (``complaint_threshold``);
- ``short`` (neither): the model flags only when it is confident *and* the text contains a
  screening word (from the lexicon, not in an innocent sense); rules flag as usual.

Nothing is ever rejected: a flag only sends the complaint to human review, with the reason.
Evidence spans index the *original* text: matching runs on the cleaned text (decoded, PII-masked)
and, for flagged texts only, spans are mapped back through the document's map of its cleaning
(:meth:`Document.original_span <pipeline.document.Document.original_span>`).
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import f1_score

from pipeline.document import Document
from pipeline.screening.decision import ScreeningDecision
from pipeline.screening.lexicons import load_lexicon
from pipeline.screening.model import AUX_HEADS, AbuseModel
from pipeline.screening.negatives import domain_negatives
from pipeline.screening.prefilter import Prefilter
from pipeline.screening.result import Evidence, Flag, ScreeningResult, screening_record  # noqa: F401 (re-exported)
from pipeline.screening.rules import Hit, RuleMatcher
from pipeline.screening.threshold import out_of_fold_scores, search_threshold
from pipeline.text.lexicon import slang_dictionary
from pipeline.text.tokens import TOKEN_RE

_SPAN = re.Match.span
SOCIAL_RE = re.compile(r"(?:^|\s)(?:RT\s+USER|#[^\W\d_]\w*)|(?<!\[)\b(?:USER|URL)\b(?!\])")

def prepare(text) -> Document:
    """The analysed document of a text (documents pass through)."""
    return Document.of(text)


def model_text(doc: Document) -> str:
    """Lower-cased cleaned text. Tweet artefacts (USER, URL, RT) stay: complaints never contain them,
    so what the model learns from them cannot fire on complaints, and removing them cost tweet F1."""
    return doc.cleaned.lower()


class Screener(ScreeningDecision, BaseEstimator):
    """Flag abusive, hate/SARA, provocative and defamation-risk texts for review (see module docstring).

    ``fit(X, y)``: ``X`` texts; ``y`` either 0/1 (HS or Abusive) or a DataFrame with the label
    columns ``HS`` and ``Abusive`` (and optionally ``HS_Group`` for the category of model flags).
    """

    def __init__(self, C: float = 3.0, min_df: int = 2, char_ngram_range: tuple[int, int] = (2, 5),
                 max_char_features: int | None = 200_000, threshold: float | None = None,
                 short_threshold: float = 0.7, complaint_threshold: float = 0.9, rule_floor: float = 0.35,
                 complaint_min_words: int = 2, complaint_min_chars: int = 280,
                 cv: int = 3, random_state: int = 0, domain_negatives: bool = True,
                 terms_path: str | None = None, innocent_path: str | None = None, accusation=None):
        self.accusation = accusation  # an AccusationDetector (fitted: used as is; unfitted: fitted on the seed)
        self.C = C
        self.min_df = min_df
        self.char_ngram_range = char_ngram_range
        self.max_char_features = max_char_features
        self.threshold = threshold
        self.short_threshold = short_threshold
        self.complaint_threshold = complaint_threshold
        self.rule_floor = rule_floor
        self.complaint_min_words = complaint_min_words
        self.complaint_min_chars = complaint_min_chars
        self.cv = cv
        self.random_state = random_state
        self.domain_negatives = domain_negatives
        self.terms_path = terms_path
        self.innocent_path = innocent_path

    # -- training ------------------------------------------------------------------------------
    def _model(self) -> AbuseModel:
        return AbuseModel(C=self.C, min_df=self.min_df, char_ngram_range=self.char_ngram_range,
                          max_char_features=self.max_char_features)

    def fit(self, X, y):
        docs_in = Document.many(X)
        texts = [d.original for d in docs_in]
        target, aux = _targets(y, len(texts))
        if len(set(target.tolist())) < 2:
            raise ValueError("training data must contain both flagged and unflagged examples")
        docs = [model_text(d) for d in docs_in]
        extra = [model_text(prepare(t)) for t in domain_negatives()] if self.domain_negatives else []
        self.validation_ = None
        self.threshold_ = 0.5 if self.threshold is None else float(self.threshold)
        if self.cv and self.threshold is None and len(docs) >= 50:
            self._set_lexicon()
            oof = out_of_fold_scores(lambda X_, y_: self._model().fit(X_, y_), docs, target, extra, self.cv,
                                     self.random_state)
            registers = [self.register_of(d.original, d.raw_words) for d in docs_in]
            hits = [self._rule_hits(d) for d in docs_in]

            def decide(k: int, score: float, threshold: float) -> bool:
                counted, model_flag = self._decision(docs_in[k], registers[k], hits[k], score, threshold)
                return bool(counted) or model_flag

            self.threshold_, f1 = search_threshold(decide, oof, target)
            self.validation_ = {"method": f"{self.cv}-fold out-of-fold", "n": int(len(docs)),
                                "threshold": self.threshold_, "f1": round(f1, 4),
                                "model_only_f1_at_threshold": round(float(f1_score(target, oof >= self.threshold_)), 4)}
        zeros = np.zeros(len(extra), int)
        self.model_ = self._model().fit(docs + extra, np.r_[target, zeros],
                                        aux={k: np.r_[v, zeros] for k, v in aux.items() if k in AUX_HEADS})
        self._set_lexicon()
        self.accusation_ = _accusation_detector(self.accusation)
        return self

    def _set_lexicon(self) -> None:
        self.rules_ = RuleMatcher(load_lexicon(self.terms_path, self.innocent_path))
        lex = self.rules_.lexicon
        self.complaint_strong_ = lex.words("complaint_strong")
        self.complaint_words_ = lex.words("complaint") | self.complaint_strong_
        self.screening_words_ = (lex.words("abusive_strong") | lex.words("abusive_contextual")
                                 | lex.words("hate_slur") | lex.words("attack") | lex.words("group"))

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_slang_triggers", None)  # per-process caches
        state.pop("_prefilter_cache", None)
        return state

    # -- screening -----------------------------------------------------------------------------
    def register_of(self, raw: str, tokens: set[str]) -> str:
        """``social``, ``complaint`` or ``short``, from the raw text and its quick tokens."""
        if ("USER" in raw or "URL" in raw or "#" in raw) and SOCIAL_RE.search(raw):
            return "social"
        if not self.complaint_strong_.isdisjoint(tokens) or len(raw) > self.complaint_min_chars:
            return "complaint"
        if len(self.complaint_words_.intersection(tokens)) >= self.complaint_min_words:
            return "complaint"
        return "short"

    def _prefilter(self, doc: Document | None = None) -> Prefilter:
        """The per-process :class:`Prefilter` of this screener's lexicons (and the document's slang table)."""
        table = slang_dictionary(doc.slang_dictionary_path if doc is not None else None)
        cached = self.__dict__.get("_prefilter_cache")
        if cached is None or cached.slang is not table:
            cached = self._prefilter_cache = Prefilter(self.rules_.lexicon, self._accusation()._lex(), table)
        return cached

    def _settled(self, doc: Document) -> bool:
        """True for a complaint-register text in which no rule and no accusation can fire: unflagged,
        whatever the full path would compute. Its words are read from the tokens of the cleaned text where
        another component (the router) made them; otherwise the raw-text check of :meth:`_quick` decides."""
        if "token_norms" not in doc.__dict__ and "cleaned" not in doc.__dict__:
            return False
        raw = doc.original
        if ("USER" in raw or "URL" in raw or "#" in raw) and SOCIAL_RE.search(raw):
            return False
        if len(raw) <= self.complaint_min_chars and self.register_of(raw, doc.raw_words) != "complaint":
            return False
        return not self._prefilter(doc).could_fire(doc.token_norms)

    def _quick(self, doc: Document) -> tuple[str, bool]:
        """Register, and whether the full path is needed, from the raw text's words.

        Most complaints contain none of the words a rule needs: they are settled here.
        """
        if self._settled(doc):
            return "complaint", False
        tokens = doc.raw_words
        register = self.register_of(doc.original, tokens)
        if register != "complaint":
            return register, True
        if self.rules_.could_match(tokens) or self._accusation().could_fire(tokens):
            return register, True
        table = slang_dictionary()
        if self._slang_to_triggers(table).isdisjoint(tokens):
            return register, False  # no word maps to a trigger word: the mapped set cannot match either
        mapped = {m[0] for t in tokens if (m := table.get(t)) is not None and len(m) == 1}
        return register, bool(mapped) and self.rules_.could_match(tokens | mapped)

    def _slang_to_triggers(self, table: dict) -> frozenset[str]:
        """Informal words whose one-word standard form takes part in a rule trigger."""
        cached = self.__dict__.get("_slang_triggers")
        if cached is None or cached[0] is not table:
            vocabulary = self.rules_.lexicon.trigger_vocabulary
            words = frozenset(t for t, m in table.items() if len(m) == 1 and m[0] in vocabulary)
            cached = self._slang_triggers = (table, words)
        return cached[1]

    def _rule_hits(self, p: Document) -> list[Hit]:
        if not self.rules_.could_match(p.token_norms):
            norms = p.match_norms
            if not self.rules_.could_match(norms):
                return []
        return self.rules_.match(lambda: p.words, p.match_norms)  # spans only if a name must be checked

    def _accusation(self):
        detector = getattr(self, "accusation_", None)
        if detector is None:  # a screener saved before the detector existed: the seed-trained one
            detector = self.accusation_ = _accusation_detector(None)
        return detector

    def _with_accusation(self, p: Document, register: str, hits: list[Hit]) -> list[Hit]:
        """Complaint register: the accusation detector decides ``defamation_risk`` (target + accusation
        in a linked clause, learned decision); social media keeps the rule."""
        if register == "social":
            return hits
        detector = self._accusation()
        kept = [h for h in hits if h.category != "defamation_risk"]
        norms = p.match_norms  # slang mapped to the standard word ("duit" → "uang")
        if not self._prefilter(p).accusation_could_fire(set(norms)) or not detector.could_find(norms):
            return kept  # no predicate: nothing to score (checked before the spans are built)
        # the spans of ``p.tokens``, found without building its Token objects (Match.span called from C)
        found = detector.detect_tokens(p.cleaned, norms, list(map(_SPAN, TOKEN_RE.finditer(p.cleaned))))
        if found.predicate is None or found.score < detector.threshold:
            return kept
        related = [(t.start, t.end, "orang yang dituduh") for t in found.targets]
        return kept + [Hit("defamation_risk", found.predicate.start, found.predicate.end, found.score, "tuduhan",
                           related=related)]

    def _analyse(self, X, model=None):
        """Register, shared preprocessing, rule hits and (where needed) model scores.

        Returns per text: prepared (``None`` when settled by the quick check), register, hits, and
        a dict index → (score, auxiliary scores) for the texts the model saw.
        """
        model = model or self.model_
        docs = Document.many(X)
        if docs:  # the prefilter's keys: chosen on the first texts seen whose tokens are known
            self._prefilter(docs[0]).prepare([d.token_norms for d in docs if "token_norms" in d.__dict__])
        quick = [self._quick(d) for d in docs]
        registers = [q[0] for q in quick]
        prepared = [d if full else None for d, (_, full) in zip(docs, quick)]
        hits = [self._rule_hits(p) if p is not None else [] for p in prepared]
        hits = [self._with_accusation(p, r, h) if p is not None else h for p, r, h in zip(prepared, registers, hits)]
        # the model runs only where it can change the decision
        need = [i for i, (p, r, h) in enumerate(zip(prepared, registers, hits))
                if p is not None and (r != "complaint" or any(x.weak for x in h))]
        proba = {}
        if need:
            Xf = model.transform_text([model_text(prepared[i]) for i in need])
            p = model.proba_features(Xf)
            aux = model.aux_proba(Xf)
            for k, i in enumerate(need):
                proba[i] = (float(p[k]), {name: float(v[k]) for name, v in aux.items()})
        return prepared, registers, hits, proba

    def screen(self, X) -> list[ScreeningResult]:
        prepared, registers, hits, proba = self._analyse(X)
        return [self._decide(p, r, h, proba.get(i)) for i, (p, r, h) in enumerate(zip(prepared, registers, hits))]

    def predict(self, X) -> np.ndarray:
        return np.asarray([r.flagged for r in self.screen(X)], dtype=bool)


def _accusation_detector(given):
    from pipeline.screening.accusation_model import AccusationDetector, seed_examples

    if given is not None and hasattr(given, "model_"):
        return given
    detector = given if given is not None else AccusationDetector()
    return detector.fit(*seed_examples())


def _targets(y, n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    import pandas as pd

    if isinstance(y, pd.DataFrame):
        missing = [c for c in ("HS", "Abusive") if c not in y.columns]
        if missing:
            raise ValueError(f"label columns missing: {missing}")
        labels = {c: pd.to_numeric(y[c], errors="coerce").fillna(0).astype(int).clip(0, 1).to_numpy()
                  for c in y.columns}
        return (labels["HS"] | labels["Abusive"]).astype(int), labels
    target = np.asarray(y, dtype=int)
    if len(target) != n:
        raise ValueError(f"X has {n} rows but y has {len(target)}")
    return target, {}


