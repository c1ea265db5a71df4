"""Where a complaint's explanation terms first occur: the token walk, and the spans of the few tokens it keeps.

:meth:`Document.first_term_spans <pipeline.document.Document.first_term_spans>` walks the tokens until every
term is found (:func:`first_terms`), then needs the spans of the handful of tokens it kept. Running the
token pattern again up to the last of them costs a regex match per token; when the token list is the
text's own words, lower-cased and unchanged (the usual ASCII complaint, :func:`unchanged_words`), a token
is instead found by ``str.find`` of its own text (:func:`token_spans`). Tests compare the results with
:meth:`Document.iter_term_spans <pipeline.document.Document.iter_term_spans>` on random and real texts.
"""

from __future__ import annotations

from itertools import islice
from typing import Sequence

from pipeline.text.term_views import term_view, term_views
from pipeline.text.tokens import TOKEN_RE

_PLACEHOLDER_WORDS = frozenset({"nik", "telepon", "email", "url"})  # the words inside ``[NIK]`` … ``[URL]``
_ALNUM = bytes(c for c in range(128) if chr(c).isalnum())  # ASCII [^\W_]: the characters of a word token


def first_terms(cleaned: str, token_norms: list[str] | None, slang_dictionary_path: str | None, unigrams: set[str],
                bigrams: set[tuple[str, str]]) -> tuple[list[tuple[str, list[int]]], list[str] | None]:
    """``(label, token positions)`` of each term's first occurrence, in the order they are found, and the tokens'
    normalised forms when they are ``token_norms`` (``None`` otherwise: not ASCII, or not known yet).

    The tokens are walked until every term is found: a token without a stem is skipped (stop words, numbers); a
    unigram is the token's stem, or its form when the stem is not a term; a bigram is two consecutive stemmed
    tokens (stop words between). The router has usually found the tokens already (``token_norms``: the same
    tokens, lower-cased and collapsed, which view the same); for ASCII text lower-casing cannot move a token
    boundary. (Set look-ups mapped over the whole list in C were slower: the walk stops early.)"""
    missing = len(unigrams) + len(bigrams)
    views = term_views(slang_dictionary_path)
    norms = token_norms if token_norms is not None and cleaned.isascii() else None
    texts = norms if norms is not None else TOKEN_RE.findall(cleaned)
    found: dict[str, list[int]] = {}  # label → token positions
    prev, prev_stem = -1, None
    for k, text in enumerate(texts):  # stops at the last label found: the rest of the text is not looked at
        view = views.get(text)
        if view is None:
            view = views[text] = term_view(text, slang_dictionary_path)
        norm, stem = view
        if stem is None:
            continue
        if prev_stem is not None and (prev_stem, stem) in bigrams:
            label = f"{prev_stem} {stem}"
            if label not in found:
                found[label] = [prev, k]
                missing -= 1
        if stem in unigrams or norm in unigrams:
            label = stem if stem in unigrams else norm
            if label not in found:
                found[label] = [k]
                missing -= 1
        if not missing:
            break
        prev, prev_stem = k, stem
    return list(found.items()), norms


def unchanged_words(text: str, norms: Sequence[str]) -> bool:
    """Whether ``norms`` (the tokens of ASCII ``text``, lower-cased, elongations collapsed) are exactly the
    text's words lower-cased: no elongation was collapsed. Every letter and digit belongs to one token (a
    placeholder adds its two brackets) and collapsing only shortens, so the lengths tell, at C speed."""
    data = text.encode("ascii")
    letters = len(data) - len(data.translate(None, _ALNUM))
    if "[" in text:
        letters += 2 * sum(1 for w in norms if w[:1] == "[")
    return sum(map(len, norms)) == letters


def token_spans(text: str, positions: Sequence[int], norms: Sequence[str] | None = None) -> dict[int, tuple[int, int]]:
    """Span in ``text`` of each token position. ``norms``: the text's tokens when :func:`unchanged_words` holds
    (ASCII text) — a token is then found as the ``m``-th whole-word occurrence of its own text, ``m`` counted in
    ``norms``; otherwise, and for placeholder words, the token pattern is run up to the last position."""
    ks = sorted(set(positions))
    if norms is not None:
        low = None
        spans: dict[int, tuple[int, int]] = {}
        for k in ks:
            word = norms[k]
            if not word.isalnum() or word in _PLACEHOLDER_WORDS:
                break
            if low is None:
                low = text.lower()
            try:
                spans[k] = _nth_word(low, word, norms[:k].count(word))
            except LookupError:
                break
        else:
            return spans
    spans = {}
    matches, at = TOKEN_RE.finditer(text), 0
    for k in ks:
        spans[k] = next(islice(matches, k - at, None)).span()  # skips the tokens between in C
        at = k + 1
    return spans


def _nth_word(low: str, word: str, m: int) -> tuple[int, int]:
    """Span of the ``m``-th (from 0) occurrence of ``word`` in ``low`` that is a whole token (ASCII)."""
    size, end = len(word), len(low)
    start = low.find(word)
    while start >= 0:
        stop = start + size
        if (start == 0 or not low[start - 1].isalnum()) and (stop == end or not low[stop].isalnum()):
            if not m:
                return start, stop
            m -= 1
        start = low.find(word, start + 1)
    raise LookupError(word)  # cannot happen when unchanged_words holds; the caller falls back
