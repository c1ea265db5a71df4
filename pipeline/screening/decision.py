"""From a text's rule hits and model score to its :class:`ScreeningResult`: which hits count in which register,
whether the model flags, and the evidence in the original text.

A mixin of :class:`~pipeline.screening.screener.Screener` (it reads the fitted thresholds and model); kept
apart because deciding is one job and analysing the texts (prefilter, rules, accusation, model scores) another.
"""

from __future__ import annotations

import re

from pipeline.document import Document
from pipeline.screening.result import Evidence, Flag, ScreeningResult, reason_text
from pipeline.screening.rules import CATEGORIES, Hit
from pipeline.text.tokens import TOKEN_RE

_SPAN = re.Match.span


class ScreeningDecision:
    """The decision by register (see :mod:`pipeline.screening.screener`) and the evidence it shows."""

    def _decision(self, p: Document, register: str, hits: list[Hit], score: float | None,
                  threshold: float) -> tuple[list[Hit], bool]:
        """The rule hits that count and whether the model flags, for one text."""
        counted: list[Hit] = []
        for h in hits:
            if h.weak:
                need = threshold if register == "social" else self.complaint_threshold
                if score is not None and score >= need:
                    counted.append(Hit(h.category, h.start, h.end, max(h.score, score), h.kind))
            elif (register == "social" and h.category in ("abusive", "hate_sara")) or (
                    register == "short" and h.category == "hate_sara"):
                # social-media text: a word alone is not enough ("mata sipit", "3 idiot"); the model must lean the same way
                if score is not None and score >= self.rule_floor:
                    counted.append(h)
            else:
                counted.append(h)
        model_flag = False
        if score is not None and score >= threshold:
            if register == "social":
                model_flag = True
            elif register == "short":
                model_flag = bool(hits) or score >= self.short_threshold or not self.screening_words_.isdisjoint(p.token_norms)
        return counted, model_flag

    def _decide(self, p: Document | None, register: str, hits: list[Hit], proba) -> ScreeningResult:
        if p is None:
            return ScreeningResult(False, [], "", register, None)
        score = proba[0] if proba else None
        strong, model_flag = self._decision(p, register, hits, score, self.threshold_)
        if not strong and not model_flag:
            return ScreeningResult(False, [], "", register, score)
        flags: dict[str, Flag] = {}
        spans = list(map(_SPAN, TOKEN_RE.finditer(p.cleaned)))  # the spans of ``p.tokens``, without its Tokens
        for h in strong:
            f = flags.setdefault(h.category, Flag(h.category, 0.0))
            f.score = max(f.score, h.score)
            self._add_evidence(f, p, spans, h.start, h.end, h.score)
            for s, e, _ in h.related:
                self._add_evidence(f, p, spans, s, e, h.score)
        if model_flag:
            category = self._model_category(proba[1])
            f = flags.get(category)
            if f is None:
                f = flags[category] = Flag(category, score, source="model")
                for i, _ in self.model_.word_weights(p.token_norms)[:3]:
                    self._add_evidence(f, p, spans, i, i + 1, score)
            f.score = max(f.score, score)
        ordered = [flags[c] for c in CATEGORIES if c in flags]
        return ScreeningResult(True, ordered, reason_text(ordered, score), register, score)

    @staticmethod
    def _model_category(aux: dict[str, float]) -> str:
        if aux.get("HS_Group", 0.0) >= 0.5 and aux.get("HS_Group", 0.0) >= aux.get("Abusive", 0.0):
            return "hate_sara"
        return "abusive"

    @staticmethod
    def _add_evidence(flag: Flag, p: Document, spans: list[tuple[int, int]], tok_start: int, tok_end: int,
                      score: float) -> None:
        start, end = p.original_span(spans[tok_start][0], spans[tok_end - 1][1])
        if any(e.start == start and e.end == end for e in flag.evidence):
            return
        flag.evidence.append(Evidence(flag.category, start, end, p.original[start:end], score))
