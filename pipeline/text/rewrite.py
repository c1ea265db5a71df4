"""Regex rewriting that can also keep track of where each output character came from.

Routing needs only the rewritten string (fast path). Screening needs evidence spans into the
*original* text, so the same rules can run in aligned mode, which carries for every output
character the ``[start, end)`` span of the original characters it was produced from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

Replacement = Callable[[re.Match], str]


@dataclass(frozen=True)
class Rule:
    """One rewrite: every match of ``pattern`` becomes ``replace(match)``.

    ``guard`` is an optional cheap test; when it is false the (slower) pattern is not run at all.
    """

    pattern: re.Pattern
    replace: Replacement
    guard: Callable[[str], bool] | None = None

    @classmethod
    def of(cls, pattern: str, replace: str | Replacement, flags: int = 0,
           guard: Callable[[str], bool] | None = None) -> "Rule":
        fn = replace if callable(replace) else (lambda _m, _s=replace: _s)
        return cls(re.compile(pattern, flags), fn, guard)

    def applies(self, text: str) -> bool:
        return self.guard is None or self.guard(text)


@dataclass
class AlignedText:
    """A string plus, per character, the original span it stems from."""

    text: str
    starts: list[int]
    ends: list[int]

    @classmethod
    def identity(cls, text: str) -> "AlignedText":
        n = len(text)
        return cls(text, list(range(n)), list(range(1, n + 1)))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of this text back onto the original string."""
        if not self.text or end <= start:
            pos = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def apply_rules(text: str, rules: Sequence[Rule]) -> str:
    for rule in rules:
        if rule.applies(text):
            text = rule.pattern.sub(rule.replace, text)
    return text


def apply_rules_aligned(aligned: AlignedText, rules: Sequence[Rule]) -> AlignedText:
    for rule in rules:
        if rule.applies(aligned.text):
            aligned = _apply_one_aligned(aligned, rule)
    return aligned


def _apply_one_aligned(src: AlignedText, rule: Rule) -> AlignedText:
    changed = []
    for m in rule.pattern.finditer(src.text):
        new = rule.replace(m)
        if new != m.group(0):
            changed.append((m, new))
    if not changed:  # nothing rewritten: the same text with the same spans (no per-character copy)
        return src
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m, new in changed:
        a, b = m.span()
        out.append(src.text[pos:a])
        starts.extend(src.starts[pos:a])
        ends.extend(src.ends[pos:a])
        if new:
            if b > a:
                o_start, o_end = src.starts[a], src.ends[b - 1]
            else:  # insertion at an empty match
                o_start = o_end = src.starts[a] if a < len(src.starts) else (src.ends[-1] if src.ends else 0)
            out.append(new)
            starts.extend([o_start] * len(new))
            ends.extend([o_end] * len(new))
        pos = b
    out.append(src.text[pos:])
    starts.extend(src.starts[pos:])
    ends.extend(src.ends[pos:])
    return AlignedText("".join(out), starts, ends)
