"""Where each character of a rewritten text came from, kept as the rewrites themselves.

:class:`~pipeline.text.rewrite.AlignedText` carries two integers per character and is built by a
second, slower pass over the text. A complaint is cleaned once anyway (its stored, displayed form),
and most of its characters are copied unchanged: only the stretches a rule rewrote (a masked phone
number, an HTML entity, an invisible character) need remembering. :class:`SpanMap` records, per rule
that changed the text, its edits — ``(start, end)`` in the text before the rule and the length of
what replaced it — while :func:`apply_rules_mapped` runs the very same ``pattern.sub`` calls as
:func:`~pipeline.text.rewrite.apply_rules`. A span is mapped back rule by rule, so the answer is
exactly AlignedText's (tests compare both on random texts), at the cost of a few bisections, and only
for the spans that are asked for (explanation words, screening evidence).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Sequence

from pipeline.text.rewrite import Rule


class _Level:
    """The edits of one rule: source spans ``[a, b)`` and where their replacements sit in its output.

    Kept as recorded; the output positions are worked out on the first lookup (most documents never
    have a span mapped back)."""

    __slots__ = ("src_len", "edits", "a", "b", "out_start", "out_end", "_out_len")

    def __init__(self, src_len: int, edits: list[tuple[int, int, int]]):
        self.src_len, self.edits = src_len, edits
        self.out_start = None
        self._out_len = None

    def out_len(self) -> int:
        """Length of the rule's output; kept, since every mapped span asks for it (the edits never change)."""
        if self._out_len is None:
            self._out_len = self.src_len + sum(n - (b - a) for a, b, n in self.edits)
        return self._out_len

    def _index(self) -> None:
        self.a = [a for a, _, _ in self.edits]
        self.b = [b for _, b, _ in self.edits]
        starts, ends, shift = [], [], 0
        for a, b, n in self.edits:
            starts.append(a + shift)
            ends.append(a + shift + n)
            shift += n - (b - a)
        self.out_start, self.out_end = starts, ends

    def locate(self, p: int) -> tuple[int, int, bool]:
        """Position ``p`` of the output → ``(a, b, True)`` inside a replacement of source ``[a, b)``, or
        ``(q, q, False)``: a character copied from source position ``q``."""
        if self.out_start is None:
            self._index()
        i = bisect_right(self.out_start, p) - 1
        if i < 0:
            return p, p, False
        if p < self.out_end[i]:
            return self.a[i], self.b[i], True
        q = p - (self.out_end[i] - self.b[i])
        return q, q, False


class SpanMap:
    """Maps spans of a rewritten text onto the text it was rewritten from (see module docstring)."""

    def __init__(self):
        self.levels: list[_Level] = []

    def add(self, src_len: int, edits: list[tuple[int, int, int]]) -> None:
        """Record one rule's edits (in order, on a text of ``src_len`` characters)."""
        self.levels.append(_Level(src_len, edits))

    @property
    def length(self) -> int:
        """Length of the rewritten text."""
        return self.levels[-1].out_len() if self.levels else 0

    def _start(self, k: int, p: int) -> int:
        while k > 0:
            level = self.levels[k - 1]
            a, b, replaced = level.locate(p)
            if replaced and b == a:  # an insertion at an empty match: where it was inserted
                return self._insertion(k - 1, a)
            p, k = a, k - 1
        return p

    def _end(self, k: int, p: int) -> int:
        while k > 0:
            level = self.levels[k - 1]
            a, b, replaced = level.locate(p)
            if replaced:
                if b == a:
                    return self._insertion(k - 1, a)
                p = b - 1
            else:
                p = a
            k -= 1
        return p + 1

    def _insertion(self, k: int, a: int) -> int:
        n = self._length_at(k)
        if a < n:
            return self._start(k, a)
        return self._end(k, n - 1) if n else 0

    def _length_at(self, k: int) -> int:
        """Length of the text after ``k`` rules (0 = the original)."""
        return self.levels[k].src_len if k < len(self.levels) else self.length

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """``[start, end)`` of the rewritten text → its span in the original (as ``AlignedText.original_span``)."""
        k, length = len(self.levels), self.length
        if not length or end <= start:
            if start < length:
                pos = self._start(k, start)
            else:
                pos = self._end(k, length - 1) if length else 0
            return pos, pos
        return self._start(k, start), self._end(k, end - 1)


def apply_rules_mapped(text: str, rules: Sequence[Rule]) -> tuple[str, SpanMap | None]:
    """:func:`~pipeline.text.rewrite.apply_rules` (the same text), plus a :class:`SpanMap` when a rule
    changed anything (``None`` when the text came through unchanged)."""
    spans: SpanMap | None = None
    for rule in rules:
        if not rule.applies(text):
            continue
        edits: list[tuple[int, int, int]] = []
        replace = rule.replace

        def record(m, replace=replace, edits=edits):
            new = replace(m)
            if new != m.group(0):
                edits.append((m.start(), m.end(), len(new)))
            return new

        out = rule.pattern.sub(record, text)
        if edits:
            if spans is None:
                spans = SpanMap()
            spans.add(len(text), edits)
        text = out
    return text, spans
