"""The rules' span finder: every phrase-class match and the four person patterns, by a dict walk.

The rules used to build a spaCy ``Doc`` of each text's normalised tokens and run a ``PhraseMatcher``
(attribute ORTH) and a token-pattern ``Matcher`` over it. Their patterns are plain: a phrase is an
exact token tuple, and each person pattern is one or a few exact tokens followed by one token with a
lexical test (``IS_ALPHA``, ``LENGTH``, ``LIKE_NUM``, ``NOT_IN``). Walking the tokens once through a
dict from first token to the terms it starts finds the same matches without the ``Doc`` (on a 34,760-row
backlog the ``Doc`` + ``Matcher`` cost ≈ 3.6 s of the screening's CPU time, and importing spaCy ≈ 0.9 s
per process). ``tests/pipeline/screening/test_matching.py`` checks the result against spaCy's matchers.

:meth:`SpanFinder.phrases` gives class → ``[(start, end), …]`` (token indices) and
:meth:`SpanFinder.persons` the person-pattern matches; the rules sort and read them.
"""

from __future__ import annotations

from pipeline.screening.lexicons import Lexicon

# phrase classes matched as exact token tuples
PHRASE_CLASSES = (
    "abusive_strong", "abusive_contextual", "hate_slur", "group", "attack", "incite_cue", "incite_verb",
    "threat", "accuse", "position", "address", "reported", "addressee_cue",
)
# spaCy's Indonesian number words (spacy/lang/id/lex_attrs.py), for LIKE_NUM
_NUM_WORDS = frozenset({
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas",
    "belas", "puluh", "ratus", "ribu", "juta", "miliar", "biliun", "triliun", "kuadriliun", "kuintiliun",
    "sekstiliun", "septiliun", "oktiliun", "noniliun", "desiliun",
})


def like_num(text: str) -> bool:
    """spaCy's Indonesian ``LIKE_NUM`` (``spacy.lang.id.lex_attrs.like_num``), the same steps."""
    if text.startswith(("+", "-", "±", "~")):
        text = text[1:]
    text = text.replace(",", "").replace(".", "")
    if text.isdigit():
        return True
    if text.count("/") == 1:
        num, denom = text.split("/")
        if num.isdigit() and denom.isdigit():
            return True
    if text.lower() in _NUM_WORDS:
        return True
    if text.count("-") == 1:
        _, num = text.split("-")
        if num.isdigit() or num in _NUM_WORDS:
            return True
    return False


class SpanFinder:
    """Phrase matches of :data:`PHRASE_CLASSES` and person-pattern matches over normalised tokens."""

    def __init__(self, lexicon: Lexicon):
        heads: dict[str, list[tuple[int, tuple[str, ...], str]]] = {}
        for cls in PHRASE_CLASSES:
            for term in sorted(lexicon.terms[cls]):
                heads.setdefault(term[0], []).append((len(term), term, cls))
        self._phrase_heads = {k: tuple(v) for k, v in heads.items()}
        self._not_name = lexicon.words("not_name") | lexicon.words("title") | lexicon.words("position")
        self._titles = lexicon.words("title")
        self._orgs = lexicon.words("org")
        cues: dict[str, list[tuple[str, ...]]] = {}
        for cue in sorted(lexicon.terms["name_cue"]):
            cues.setdefault(cue[0], []).append(cue)
        self._cues = {k: tuple(v) for k, v in cues.items()}
        self._person_heads = frozenset(self._titles | self._orgs | {"rt", "rw"} | self._cues.keys())

    def phrases(self, norms: list[str]) -> dict[str, list[tuple[int, int]]]:
        """Class → token spans of every phrase match (all of them: nested and overlapping ones too),
        in text order."""
        n = len(norms)
        out: dict[str, list[tuple[int, int]]] = {}
        heads = self._phrase_heads
        for i, t in enumerate(norms):
            options = heads.get(t)
            if options is None:
                continue
            for length, term, cls in options:
                if length == 1 or (i + length <= n and tuple(norms[i:i + length]) == term):
                    out.setdefault(cls, []).append((i, i + length))
        return out

    def persons(self, norms: list[str]):
        """``(label, start, end)`` of each person-pattern match: ``named`` (title + name), ``named_cue``
        (cue + name), ``org`` (body + name), ``position_number`` (``rt``/``rw`` + a number) — the token
        patterns the rules once gave spaCy's ``Matcher`` (the capital of a name is checked by the caller)."""
        return list(self._persons(norms))

    def _persons(self, norms: list[str]):
        n = len(norms)
        heads, not_name = self._person_heads, self._not_name
        for i in range(n - 1):
            t = norms[i]
            if t not in heads:
                continue
            nxt = norms[i + 1]
            name3 = len(nxt) >= 3 and nxt.isalpha() and nxt not in not_name
            if t in self._titles and name3:
                yield "named", i, i + 2
            for cue in self._cues.get(t, ()):
                k = i + len(cue)
                if k < n and tuple(norms[i:k]) == cue:
                    w = norms[k]
                    if len(w) >= 2 and w.isalpha() and w not in not_name:
                        yield "named_cue", i, k + 1
            if t in self._orgs and name3:
                yield "org", i, i + 2
            if (t == "rt" or t == "rw") and like_num(nxt):
                yield "position_number", i, i + 2
