"""Personal data masking: NIK, phone numbers, e-mail addresses and URLs become placeholders.

Placeholders match the ones already used in LAPOR! exports (``[NIK]``, ``[TELEPON]``, ``[EMAIL]``).

Every pattern runs on untrusted text and must stay linear in its length: a pattern may only start
where its first character class begins (a look-behind refuses starts inside a run, so a 20,000-letter
word is scanned once, not once per letter), unbounded runs are possessive (``++``, Python ≥ 3.11) so
a failed match never gives characters back, and everything else is bounded (``{2,5}``).
``tests/pipeline/text/test_linear_time.py`` checks this by timing each stage at n and 4n.
"""

from __future__ import annotations

import re

from sklearn.base import BaseEstimator, TransformerMixin

from pipeline.text.rewrite import Rule, apply_rules

PLACEHOLDERS = ("[NIK]", "[TELEPON]", "[EMAIL]", "[URL]")

_SEP = r"[ .\-]?"


def _digits(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


def _phone(m: re.Match) -> str:
    n = _digits(m.group(0))
    return "[TELEPON]" if 9 <= n <= 14 else m.group(0)


def _nik(m: re.Match) -> str:
    return "[NIK]" if 15 <= _digits(m.group(0)) <= 17 else m.group(0)


# \d\d, not \d{2}: the same pattern, but a leading repeat keeps sre from scanning for its first character
# (0.18 -> 0.11 CPU s over the 34,760-text backlog); a necessary condition of all three number rules
_LONG_NUMBER = re.compile(r"\d\d[ .\-)]?\d\d[ .\-]?\d\d")


_last_long_number: tuple[str, bool] = ("", False)


def _has_long_number(text: str) -> bool:
    """The guard of the three number rules: asked of the same text three times when none of them masks
    anything, so the last answer is kept (one tuple, replaced whole: safe across threads)."""
    global _last_long_number
    last = _last_long_number
    if last[0] is text:
        return last[1]
    found = _LONG_NUMBER.search(text) is not None
    _last_long_number = (text, found)
    return found


def _has_url(text: str) -> bool:
    lower = text.lower()
    return "http" in lower or "www." in lower


PII_RULES: tuple[Rule, ...] = (
    # local part starts only at the beginning of its run (else each letter of a long run is a new start)
    Rule.of(r"(?<![\w.+\-])[\w.+\-]++@[\w\-]++(?:\.[\w\-]++)+", "[EMAIL]", guard=lambda t: "@" in t),
    Rule.of(r"\b(?:https?://|www\.)[^\s<>\"']++", "[URL]", re.IGNORECASE, guard=_has_url),
    # NIK: 15–17 digits, possibly grouped by single spaces, dots or dashes (3578 0123 4567 0001)
    Rule.of(r"(?<![\d+])[1-9](?:" + _SEP + r"\d){14,16}(?!\d)", _nik, guard=_has_long_number),
    # mobile: 08…, 628…, +62 8…, with spaces/dashes/dots between groups; also glued to a word ("hub08123…")
    Rule.of(r"(?<![\d+])(?:\+62|62|0)[ .\-]?\(?8\d{1,3}\)?(?:" + _SEP + r"\d{2,5}){1,4}(?!\d)", _phone, guard=_has_long_number),
    # landline: (031) 123 4567, 031-1234567, +62 31 1234567
    Rule.of(r"(?<![\d+])(?:\+62[ .\-]?|\(0|0)[1-79]\d{1,2}\)?[ .\-]?\d{3,4}[ .\-]?\d{3,5}(?!\d)", _phone, guard=_has_long_number),
)


def mask_pii(text: str) -> str:
    return apply_rules(text, PII_RULES)


class PiiMasker(TransformerMixin, BaseEstimator):
    """Replace personal numbers and addresses by placeholder tokens (strings in, strings out)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [apply_rules(x, PII_RULES) for x in X]
