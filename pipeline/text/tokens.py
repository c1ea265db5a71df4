"""Token stages: tokenise, normalise slang, drop stop words, stem (lists of tokens in and out).

Tokenising uses one compiled regex rather than spaCy's tokenizer: the features need only word
boundaries, and a regex keeps the hot path several times faster. spaCy is used where its matcher
adds something (the area gazetteer), on ``Doc`` objects built from these same tokens.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sklearn.base import BaseEstimator, TransformerMixin

from pipeline.text import lexicon

TOKEN_RE = re.compile(r"\[(?:NIK|TELEPON|EMAIL|URL)\]|[^\W_]+", re.IGNORECASE)
_ROMAN = re.compile(r"^[ivxlcdm]+$")
_RUN = re.compile(r"([^\W\d_])\1{2,}")


@lru_cache(maxsize=1 << 17)
def collapse_elongation(word: str) -> str:
    """``tolooong`` → ``tolong``, ``maaaaf`` → ``maaf``: keep the form the dictionaries know."""
    if not _RUN.search(word) or _ROMAN.match(word):
        return word
    double = _RUN.sub(r"\1\1", word)
    if double in lexicon.root_words() or double in lexicon.slang_dictionary():
        return double
    return _RUN.sub(r"\1", word)


# token text → collapse_elongation(token text), for every token text tokenize has met in this process:
# a plain dict read through ``map`` in C (cheaper than a Python-level call per token into the lru cache), and
# each text's tokens come back as the one shared string object per word (their hashes already known downstream)
_COLLAPSED: dict[str, str] = {}
_COLLAPSED_MAX = 1 << 18  # bounded: hostile input cannot grow it without end


def tokenize(text: str) -> list[str]:
    """``[collapse_elongation(t) for t in TOKEN_RE.findall(text.lower())]``, read from :data:`_COLLAPSED`."""
    tokens = TOKEN_RE.findall(text.lower())
    try:
        return list(map(_COLLAPSED.__getitem__, tokens))
    except KeyError:  # a token text not met yet: work out this text's new ones, then read them all
        if len(_COLLAPSED) > _COLLAPSED_MAX:
            _COLLAPSED.clear()
        for token in set(tokens).difference(_COLLAPSED):
            _COLLAPSED[token] = collapse_elongation(token)
        return list(map(_COLLAPSED.__getitem__, tokens))


def tokenize_with_spans(text: str) -> list[tuple[str, int, int]]:
    """Tokens with their character spans in ``text`` (for matchers that must point at evidence)."""
    return [(collapse_elongation(m.group(0).lower()), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


class Tokenizer(TransformerMixin, BaseEstimator):
    """Lower-cased word tokens; placeholders such as ``[NIK]`` stay one token; elongations collapse."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [tokenize(x) for x in X]


class SlangNormalizer(TransformerMixin, BaseEstimator):
    """Map informal words to standard ones (``gak`` → ``tidak``, ``jln`` → ``jalan``).

    ``dictionary_path`` points at a two-column TSV (``informal``, ``standard``); ``None`` uses the
    project's own bundled dictionary.
    """

    def __init__(self, dictionary_path: str | None = None):
        self.dictionary_path = dictionary_path

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        table = lexicon.slang_dictionary(self.dictionary_path)
        return [expand_slang(tokens, table) for tokens in X]


def expand_slang(tokens, table: dict[str, tuple[str, ...]]) -> list[str]:
    """Each informal token replaced by its standard word(s); other tokens kept."""
    out: list[str] = []
    for t in tokens:
        mapped = table.get(t)
        if mapped is None:
            out.append(t)
        else:
            out.extend(mapped)
    return out


class StopwordFilter(TransformerMixin, BaseEstimator):
    """Drop function words (Sastrawi's list minus words that matter in complaints) and bare numbers."""

    def __init__(self, extra_stop_words: tuple[str, ...] = (), drop_numbers: bool = True):
        self.extra_stop_words = extra_stop_words
        self.drop_numbers = drop_numbers

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        stop = lexicon.stop_words() | frozenset(self.extra_stop_words)
        drop_numbers = self.drop_numbers
        return [
            [t for t in tokens if t not in stop and not (drop_numbers and t.isdigit())] for tokens in X
        ]


# One cache per process, shared by every Stemmer instance: stemming is the slowest step and
# complaint vocabularies repeat heavily.
_STEM_CACHE: dict[str, str] = {}
_sastrawi = None


def _stem_uncached(token: str) -> str:
    global _sastrawi
    if _sastrawi is None:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        _sastrawi = StemmerFactory().create_stemmer().delegatedStemmer
    stem = _sastrawi.stem(token)
    return stem or token


# No Indonesian word is this long; longer "words" (pasted hashes, keyboard runs, hostile input) are
# left as they are and not cached, so they cost neither stemming time nor cache memory.
MAX_STEM_CHARS = 40


def _compute_stem(token: str) -> str:
    return token if (token.startswith("[") or not token.isalpha() or len(token) < 4) else _stem_uncached(token)


def stem_token(token: str) -> str:
    if len(token) > MAX_STEM_CHARS:
        return token
    stem = _STEM_CACHE.get(token)
    if stem is None:
        stem = _STEM_CACHE[token] = _compute_stem(token)
    return stem


def stem_cache_clear() -> None:
    _STEM_CACHE.clear()


def seed_stem_cache(stems: dict[str, str], sample: int = 16) -> bool:
    """Warm the process stem cache with a fitted model's stems (``Stemmer.stems_``: :func:`stem_token` of its
    training vocabulary), so the words the model was trained on are never stemmed again in this process.

    Sastrawi costs about a millisecond a word; a loaded model otherwise re-stems its whole vocabulary
    (the explanation and duplicate stems ask for words the features take from ``stems_``). A few entries,
    spread over the table, are stemmed again first: if any differs (a model saved by an older stemmer),
    nothing is seeded and every word is stemmed as before. Returns whether the table was used.
    """
    if not stems:
        return False
    items = list(stems.items())
    step = max(1, len(items) // sample)
    for token, stem in items[::step][:sample]:
        if (token if len(token) > MAX_STEM_CHARS else _compute_stem(token)) != stem:
            return False
    for token, stem in items:
        if len(token) <= MAX_STEM_CHARS:
            _STEM_CACHE.setdefault(token, stem)
    return True


class Stemmer(TransformerMixin, BaseEstimator):
    """PySastrawi stemming with the shared per-token cache.

    ``fit`` remembers the stems of the training vocabulary (``stems_``), so a freshly loaded model
    starts with a warm cache for every word it was trained on.
    """

    def fit(self, X, y=None):
        vocabulary = {t for tokens in X for t in tokens}
        self.stems_ = {t: stem_token(t) for t in sorted(vocabulary)}
        return self

    def transform(self, X):
        known = getattr(self, "stems_", {})
        return [[known.get(t) or stem_token(t) for t in tokens] for tokens in X]
