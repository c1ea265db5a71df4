"""The screener's cheap first look at a raw complaint: its normalised word set, without cleaning it.

Kept apart from :mod:`pipeline.document` because it reads the *raw* text: it undoes what cleaning would
change in the words, so the set equals what the cleaned text holds, at a fraction of cleaning's cost.
"""

from __future__ import annotations

import html
import re
import unicodedata

from pipeline.text.normalize import INVISIBLE_CHARS
from pipeline.text.tokens import TOKEN_RE, collapse_elongation

_ESCAPES = re.compile(r"\\[nrt]")
_INVISIBLE = re.compile(INVISIBLE_CHARS)  # what cleaning removes (incl. bidi controls), undone cheaply


def words_of_raw(raw: str) -> set[str]:
    """Normalised word set of a raw text, without full cleaning (the screener's cheap first look).

    Undoes what cleaning would change in the words (literal ``\\n``, HTML entities, NFKC forms,
    invisible characters), so the set is what the cleaned text holds (plus words in URLs etc.).
    """
    low = raw.lower()
    if "\\" in low:
        low = _ESCAPES.sub(" ", low)
    if "&" in low:
        low = html.unescape(low)
    if not low.isascii():
        low = _INVISIBLE.sub("", unicodedata.normalize("NFKC", low)).lower()
    # each distinct word collapsed once (a word without a run of three letters is its own collapsed form),
    # instead of searching the whole text for a run first
    return set(map(collapse_elongation, set(TOKEN_RE.findall(low))))


def escapes_decoded(raw: str) -> str:
    """``raw`` with its literal ``\\r\\n``/``\\n``/``\\r`` made line breaks and ``\\t`` a space, as cleaning decodes
    them: a text whose cleaned form is exactly this (and holds no backslash) changed only between words."""
    return raw.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\r", "\n").replace("\\t", " ")
