"""Text cleaning: literal escape sequences, HTML, Unicode NFKC; the stored/displayed form."""

from __future__ import annotations

import html
import re
import unicodedata

from sklearn.base import BaseEstimator, TransformerMixin

from pipeline.text.pii import PII_RULES
from pipeline.text.rewrite import AlignedText, Rule, apply_rules, apply_rules_aligned
from pipeline.text.spanmap import SpanMap, apply_rules_mapped

def _nfkc(m: re.Match) -> str:
    return unicodedata.normalize("NFKC", m.group(0))


def _unescape(m: re.Match) -> str:
    return html.unescape(m.group(0))


# Control characters, zero-width characters and Unicode bidi controls (LRE/RLE/PDF/LRO/RLO, the
# isolates, ALM): invisible, and bidi overrides can make stored text display reversed or spoofed.
# They are removed from the displayed/stored clean text; the original text keeps them.
INVISIBLE_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"

def _has_backslash(text: str) -> bool:
    return "\\" in text


def _has_tag(text: str) -> bool:
    return "<" in text


def _has_entity(text: str) -> bool:
    return "&" in text


def _not_ascii(text: str) -> bool:
    return not text.isascii()


# Each guard is a necessary condition of its pattern (a character every match contains), checked at C speed:
# most complaints have no HTML, no entity, no literal escape, so those patterns are not run at all.
DECODE_RULES: tuple[Rule, ...] = (
    # exports often carry literal backslash sequences instead of line breaks
    Rule.of(r"\\r\\n|\\n|\\r", "\n", guard=_has_backslash),
    Rule.of(r"\\t", " ", guard=_has_backslash),
    Rule.of(r"<(?:br|p|div|li)\b[^<>]{0,200}>", "\n", re.IGNORECASE, guard=_has_tag),
    Rule.of(r"</?[a-zA-Z][a-zA-Z0-9]*+\b[^<>]{0,200}>", " ", guard=_has_tag),
    Rule.of(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});", _unescape, guard=_has_entity),
    Rule.of(r"[^\x00-\x7f]+", _nfkc, guard=_not_ascii),
    Rule.of(INVISIBLE_CHARS, ""),
)

def _rules(decode: bool, mask_pii: bool) -> tuple[Rule, ...]:
    return (DECODE_RULES if decode else ()) + (PII_RULES if mask_pii else ())


def clean_text(text: str, *, decode: bool = True, mask_pii: bool = True) -> str:
    """The decoded, PII-masked text that is stored and shown to operators."""
    return apply_rules(text, _rules(decode, mask_pii))


def clean_text_aligned(text: str, *, decode: bool = True, mask_pii: bool = True) -> AlignedText:
    """Like :func:`clean_text`, keeping each output character's span in ``text``."""
    return apply_rules_aligned(AlignedText.identity(text), _rules(decode, mask_pii))


def clean_text_mapped(text: str, *, decode: bool = True, mask_pii: bool = True) -> tuple[str, SpanMap | None]:
    """:func:`clean_text` in the same pass, plus where its rewrites came from (``None``: nothing was rewritten)."""
    return apply_rules_mapped(text, _rules(decode, mask_pii))


class TextCleaner(TransformerMixin, BaseEstimator):
    """Decode literal ``\\n``/``\\t``, HTML tags and entities, Unicode NFKC (strings in, strings out)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [apply_rules(as_text(x), DECODE_RULES) for x in X]


def as_text(x) -> str:
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and x != x):
        return ""
    return str(x)
