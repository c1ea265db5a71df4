"""One analysed complaint: the text handled once, read by every component.

Like spaCy's ``Doc``: :class:`Document` is built once per complaint and every component (router,
screener, duplicate features, the console's highlighter) reads what it needs from it. Each analysis
is computed on first use and kept:

- ``original`` — the text as received;
- ``cleaned`` — decoded (literal ``\\n``, HTML, NFKC) and PII-masked: the stored, displayed text;
- ``original_span`` — a span of ``cleaned`` mapped onto ``original`` (screening evidence, explanation
  words), through the map of the rewrites kept when ``cleaned`` was made: the text is cleaned once;
- ``tokens`` — :class:`Token` (normalised form, start, end in ``cleaned``), placeholders such as
  ``[NIK]`` one token, elongations collapsed (``tolooong`` → ``tolong``);
- ``match_norms`` — one form per token, one-word slang mapped (``duit`` → ``uang``): what rules and
  highlighting compare;
- ``norms`` — the token stream with slang expanded (``gpp`` → ``tidak apa apa``): the router's input;
- ``content_stems`` — stems of the content words (stop words, numbers, placeholders dropped);
- ``same_text`` / ``exact_key`` / ``text_hash`` — THE definition of "same text" (case, spacing and
  punctuation ignored, on the cleaned text), used by batch dedup and by the service alike.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Iterator, NamedTuple

from pipeline.text import lexicon
from pipeline.text.normalize import as_text, clean_text_mapped
from pipeline.text.raw_words import escapes_decoded, words_of_raw
from pipeline.text.term_positions import first_terms, token_spans, unchanged_words
from pipeline.text.term_views import term_view, term_views
from pipeline.text.tokens import TOKEN_RE, collapse_elongation, expand_slang, stem_token, tokenize

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


class Token(NamedTuple):
    """A word of the cleaned text: normalised form and ``[start, end)`` in ``Document.cleaned``."""

    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class Span:
    """A marked stretch of a document's text (explanation term, screening evidence)."""

    start: int
    end: int
    label: str


def same_text(text: str) -> str:
    """The comparison form of an already cleaned text: lower case, punctuation and spacing folded."""
    return _NON_WORD.sub(" ", text.lower()).strip()


class Document:
    """One complaint's text and its analyses, each computed once on first use (see module docstring)."""

    def __init__(self, text, slang_dictionary_path: str | None = None):
        self.original: str = as_text(text)
        self.slang_dictionary_path = slang_dictionary_path
        self._span_map = None  # where ``cleaned``'s rewrites came from (see :meth:`original_span`)

    @classmethod
    def of(cls, text_or_doc, slang_dictionary_path: str | None = None) -> "Document":
        return text_or_doc if isinstance(text_or_doc, Document) else cls(text_or_doc, slang_dictionary_path)

    @classmethod
    def of_cleaned(cls, cleaned: str) -> "Document":
        """A document of text that is already cleaned (a stored, displayed text): not cleaned again."""
        doc = cls(cleaned)
        doc.__dict__["cleaned"] = doc.original
        return doc

    @classmethod
    def many(cls, texts: Iterable) -> list["Document"]:
        return [cls.of(t) for t in texts]

    def __repr__(self) -> str:
        return f"Document({self.original[:40]!r}{'…' if len(self.original) > 40 else ''})"

    # -- text ------------------------------------------------------------------------------------
    @cached_property
    def cleaned(self) -> str:
        text, spans = clean_text_mapped(self.original)  # one pass; the map of its few rewrites is kept
        self._span_map = spans
        return text

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map ``[start, end)`` of ``cleaned`` onto ``original``."""
        self.cleaned  # makes the map of its rewrites (none: the cleaned text is the original)
        spans = self._span_map
        return spans.original_span(start, end) if spans is not None else (start, end)

    @cached_property
    def raw_tokens(self) -> list[str]:
        """Tokens of the original text (the area gazetteer's input)."""
        return tokenize(self.original)

    @cached_property
    def raw_words(self) -> set[str]:
        """:func:`words_of_raw` of the original. Where the tokens are already known and cleaning changed
        nothing in an ASCII text without ``&`` but decoding its literal escapes (``\\n``, ``\\t``, which
        :func:`words_of_raw` turns into spaces: both are breaks between the same words), the raw words are the
        tokens' set: the text is not scanned again. A backslash left over (``\\N``, ``\\\\``) reads the text."""
        d, raw = self.__dict__, self.original
        if "token_norms" in d and raw.isascii() and "&" not in raw:
            cleaned = d.get("cleaned")
            if cleaned == raw and "\\" not in raw:
                return set(d["token_norms"])
            if cleaned is not None and "\\" in raw and "\\" not in cleaned and cleaned == escapes_decoded(raw):
                return set(d["token_norms"])
        return words_of_raw(raw)

    # -- tokens ----------------------------------------------------------------------------------
    @cached_property
    def tokens(self) -> list[Token]:
        new, norm = tuple.__new__, collapse_elongation  # Token(...) without the namedtuple's Python-level __new__
        return [new(Token, (norm(m.group().lower()), *m.span())) for m in TOKEN_RE.finditer(self.cleaned)]

    @cached_property
    def words(self) -> list[str]:
        """The tokens' surface forms (original case) in ``cleaned``: the same matches as :attr:`tokens`, found
        without building their normalised forms and spans where no component asked for them."""
        if "tokens" not in self.__dict__:
            return TOKEN_RE.findall(self.cleaned)
        text = self.cleaned
        return [text[s:e] for _, s, e in self.tokens]

    @cached_property
    def token_norms(self) -> list[str]:
        """One normalised form per token (no slang mapping); the spans are only built when asked for."""
        if "tokens" in self.__dict__ or len(self.cleaned.lower()) != len(self.cleaned):
            return [t.norm for t in self.tokens]
        return tokenize(self.cleaned)  # the same tokens, found in the lower-cased text (fast path)

    @cached_property
    def match_norms(self) -> list[str]:
        """Per token, the one-word standard form where the slang dictionary has one (``duit`` → ``uang``).

        Read from :attr:`token_norms` (the same tokens), so a screening pre-check needs no spans."""
        table = lexicon.slang_dictionary(self.slang_dictionary_path)
        out = []
        for norm in self.token_norms:
            mapped = table.get(norm)
            out.append(mapped[0] if mapped is not None and len(mapped) == 1 else norm)
        return out

    @cached_property
    def norms(self) -> list[str]:
        """Token stream with slang expanded (``gpp`` → ``tidak apa apa``): the router's input."""
        table = lexicon.slang_dictionary(self.slang_dictionary_path)
        # tokens as the router was trained on them: found in the lower-cased text (a few Unicode letters
        # lengthen when lower-cased, so their spans would not line up with ``cleaned``)
        lowered = self.cleaned.lower()
        tokens = self.token_norms if len(lowered) == len(self.cleaned) else tokenize(self.cleaned)
        return expand_slang(tokens, table)

    @cached_property
    def content_words(self) -> list[tuple[str, str]]:
        """``(word, stem)`` of the content words: stop words, bare numbers, one-letter words and placeholders dropped."""
        stop = lexicon.stop_words()
        return [(t, stem_token(t)) for t in self.norms
                if len(t) >= 2 and t not in stop and not t.isdigit() and not t.startswith("[")]

    @cached_property
    def content_stems(self) -> list[str]:
        """Stems of the content words (what duplicate search compares)."""
        return [stem for _, stem in self.content_words]

    @cached_property
    def token_stems(self) -> list[str | None]:
        """Per token, the stem of its one-word normal form, or ``None`` for stop words and numbers."""
        stop = lexicon.stop_words()
        return [None if (t.norm in stop or t.norm.isdigit()) else stem_token(n)
                for t, n in zip(self.tokens, self.match_norms)]

    # -- "same text" -----------------------------------------------------------------------------
    @cached_property
    def same_text(self) -> str:
        return same_text(self.cleaned)

    @cached_property
    def exact_key(self) -> int:
        """64-bit key of :attr:`same_text` (0 is reserved for "no text")."""
        if not self.same_text:
            return 0
        digest = hashlib.blake2b(self.same_text.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "little") or 1

    @cached_property
    def text_hash(self) -> str:
        """sha256 (hex) of :attr:`same_text`: the stored form of the same definition."""
        return hashlib.sha256(self.same_text.encode("utf-8")).hexdigest()

    # -- spans -----------------------------------------------------------------------------------
    def term_spans(self, terms: Iterable[str]) -> list[Span]:
        """Spans of ``cleaned`` that explanation terms (stems, stem bigrams) point at.

        A word is marked when its stem (after the one-word slang mapping) or its form is a term; both
        words of a bigram term when they follow each other (stop words between them allowed).
        """
        return list(self.iter_term_spans(terms))

    @staticmethod
    def term_names(terms: Iterable[str]) -> tuple[set[str], set[tuple[str, ...]]]:
        """The unigram and bigram terms :meth:`term_spans` looks for (stripped, lower-case)."""
        names = [t.strip().lower() for t in terms if isinstance(t, str) and t.strip()]
        unigrams = {n for n in names if " " not in n}
        bigrams = {tuple(n.split()) for n in names if len(n.split()) == 2}
        return unigrams, bigrams

    def iter_term_spans(self, terms: Iterable[str]) -> Iterator[Span]:
        """:meth:`term_spans` one span at a time, in text order (a caller that needs the first ones stops early)."""
        unigrams, bigrams = self.term_names(terms)
        if not unigrams and not bigrams:
            return
        prev = None
        for cur in self._content_terms():  # (norm, stem, start, end)
            if prev is not None and (prev[1], cur[1]) in bigrams:
                label = f"{prev[1]} {cur[1]}"
                yield Span(prev[2], prev[3], label)
                yield Span(cur[2], cur[3], label)
            norm, stem = cur[0], cur[1]
            if stem in unigrams or norm in unigrams:
                yield Span(cur[2], cur[3], stem if stem in unigrams else norm)
            prev = cur

    def first_term_spans(self, terms: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
        """Label → its first spans of :meth:`iter_term_spans` (a unigram's first word, a bigram's first two), labels
        in the order they first occur: what an explanation shows, found without walking the rest of the text
        (:mod:`pipeline.text.term_positions`)."""
        found, norms = self._first_terms(terms)
        if not found:
            return {}
        words = norms if norms is not None and unchanged_words(self.cleaned, norms) else None
        spans = token_spans(self.cleaned, [k for _, ks in found for k in ks], words)
        return {label: [spans[k] for k in ks] for label, ks in found}

    def first_term_words(self, terms: Iterable[str]) -> dict[str, str]:
        """Label → the original's words (lower case, space-joined) at its :meth:`first_term_spans`. Where cleaning
        changed nothing and the tokens are the text's own words, lower-cased, the words are the tokens: no span
        is looked for."""
        found, norms = self._first_terms(terms)
        if not found:
            return {}
        words = norms if norms is not None and unchanged_words(self.cleaned, norms) else None
        if words is not None and self.cleaned == self.original:
            return {label: " ".join([words[k] for k in ks]) for label, ks in found}
        spans = token_spans(self.cleaned, [k for _, ks in found for k in ks], words)
        out = {}
        for label, ks in found:
            parts = []
            for k in ks:
                start, end = self.original_span(*spans[k])
                parts.append(self.original[start:end].lower())
            out[label] = " ".join(parts)
        return out

    def _first_terms(self, terms: Iterable[str]) -> tuple[list[tuple[str, list[int]]], list[str] | None]:
        unigrams, bigrams = self.term_names(terms)
        if not unigrams and not bigrams:
            return [], None
        # the router has usually found the tokens already (``token_norms``)
        return first_terms(self.cleaned, self.__dict__.get("token_norms"), self.slang_dictionary_path,
                           unigrams, bigrams)

    def _content_terms(self) -> Iterator[tuple[str, str, int, int]]:
        """``(norm, stem, start, end)`` of the tokens :attr:`token_stems` gives a stem, lazily, without building them.

        Each distinct token text is looked at once per process (:mod:`pipeline.text.term_views`); per
        occurrence only its span is new. Equal to ``zip(tokens, token_stems)`` with the ``None`` stems dropped.
        """
        if "token_stems" in self.__dict__:
            yield from ((t.norm, s, t.start, t.end) for t, s in zip(self.tokens, self.token_stems) if s is not None)
            return
        views = term_views(self.slang_dictionary_path)
        for m in TOKEN_RE.finditer(self.cleaned):
            raw = m.group()
            view = views.get(raw)
            if view is None:
                view = views[raw] = term_view(raw, self.slang_dictionary_path)
            if view[1] is not None:
                yield view[0], view[1], m.start(), m.end()
