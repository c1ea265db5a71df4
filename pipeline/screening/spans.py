"""Tokens with clause numbers, and a phrase lexicon matched by plain scanning (no regex on the text).

The accusation detector (``targets.py``, ``accusation.py``, ``accusation_model.py``) needs three
things the shared token list does not carry: the original spelling of each word (a capital marks a
name), the clause each word belongs to (the accused and the accusation must be in the same clause or
a neighbouring one), and multi-word terms ("meminta uang", "ketua rt"). All three are computed here
by walking the tokens once; nothing backtracks, so hostile input costs linear time.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate, compress
from importlib import resources
from pathlib import Path

from pipeline.text.tokens import tokenize, tokenize_with_spans

# characters between two tokens that end a clause; "." only when followed by a space and not after an
# abbreviation ("Jl. Demak", "No. 5", "dr. Budi"), because addresses are full of them
HARD_BREAKS = frozenset("!?;\n")
_BREAK_CHARS = re.compile(r"[!?;\n.]")  # a gap without any of these does not end a clause (see _breaks)
ABBREVIATIONS = frozenset({
    "jl", "jln", "no", "gg", "kel", "kec", "dr", "drs", "ir", "h", "hj", "bpk", "bp", "sdr", "sdri", "st", "pt",
    "cv", "ud", "rt", "rw", "blok", "tgl", "kab", "prov", "yth", "an", "a", "n", "mt", "sh", "mm", "se", "spd",
})
MAX_PHRASE = 4
# the detector reads at most this many tokens (the longest real complaints have ~1,000): a bound on the
# cost of hostile input on top of the linear algorithms
MAX_TOKENS = 4000
AMOUNT_HINTS = frozenset({"rp", "ribu", "rb", "juta", "jt", "rupiah", "ribuan", "jutaan"})


@dataclass(frozen=True)
class Tokens:
    """One text as tokens: original spelling, normalised form, character span and clause number."""

    text: str
    words: tuple[str, ...]
    norms: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    clauses: tuple[int, ...]
    questions: frozenset[int]  # clauses that end with a question mark

    def __len__(self) -> int:
        return len(self.norms)

    @classmethod
    def scan(cls, text: str, spans: list[tuple[str, int, int]] | None = None) -> "Tokens":
        """Tokenise ``text`` (or take its ``(norm, start, end)`` spans) and number the clauses."""
        spans = (tokenize_with_spans(text) if spans is None else spans)[:MAX_TOKENS]
        return cls.of(text, [n for n, _, _ in spans], [(s, e) for _, s, e in spans])

    @classmethod
    def of(cls, text: str, norms, char_spans) -> "Tokens":
        """The tokens with normalised forms ``norms`` at ``char_spans`` (``(start, end)`` in ``text``), clauses
        numbered. Only a gap between two tokens that holds one of ``!?;\\n.`` can end a clause, so only those
        gaps are looked at (found by bisecting the break characters' positions into the token starts)."""
        n = min(len(norms), len(char_spans), MAX_TOKENS)
        if n == 0:
            return cls(text, (), (), (), (), (), frozenset({0}) if "?" in text else frozenset())
        starts, ends = zip(*char_spans[:n])
        norms = tuple(norms[:n])
        steps = [0] * n
        questions: set[int] = set()
        gaps = sorted({bisect_left(starts, m.start()) for m in _BREAK_CHARS.finditer(text, ends[0], ends[-1])})
        for k in gaps:  # the gap before token k (k >= 1: between tokens k - 1 and k)
            gap = text[ends[k - 1]:starts[k]]
            if _breaks(gap, norms[k - 1]):
                steps[k] = 1
                if "?" in gap:
                    questions.add(k - 1)  # a token index for now: its clause number below
        clauses = tuple(accumulate(steps))
        questions = {clauses[k] for k in questions}
        if "?" in text[ends[-1]:]:
            questions.add(clauses[-1])
        words = tuple(map(text.__getitem__, map(slice, starts, ends)))
        return cls(text, words, norms, starts, ends, clauses, frozenset(questions))

    def clause_bounds(self, i: int) -> tuple[int, int]:
        """``[start, end)`` token range of the clause of token ``i``."""
        bounds = self.__dict__.get("_bounds")
        if bounds is None:
            starts: dict[int, int] = {}
            ends: dict[int, int] = {}
            for k, c in enumerate(self.clauses):
                starts.setdefault(c, k)
                ends[c] = k + 1
            bounds = (starts, ends)
            object.__setattr__(self, "_bounds", bounds)
        c = self.clauses[i]
        return bounds[0][c], bounds[1][c]

    def is_capitalised(self, i: int) -> bool:
        """``Barun`` or ``BARUN`` (a name), not ``barun`` — in a text that is not written all in capitals."""
        w = self.words[i]
        if not w[:1].isupper() or not w.isalpha():
            return False
        return w[1:].islower() or (w.isupper() and not self._shouting())

    def _shouting(self) -> bool:
        cached = self.__dict__.get("_shout")
        if cached is None:
            letters = [c for c in self.text[:400] if c.isalpha()]
            cached = bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)
            object.__setattr__(self, "_shout", cached)
        return cached


def _breaks(gap: str, prev_norm: str) -> bool:
    if gap == " " or not gap:
        return False
    if any(c in HARD_BREAKS for c in gap):
        return True
    dot = gap.find(".")
    return dot >= 0 and dot + 1 < len(gap) and gap[dot + 1] in " \t" and prev_norm not in ABBREVIATIONS


@dataclass(frozen=True)
class Lexicon:
    """Terms (token tuples) by class, with an index from first token to the terms it starts."""

    terms: dict[str, frozenset[tuple[str, ...]]]

    def words(self, cls: str) -> frozenset[str]:
        cache = self.__dict__.setdefault("_words", {})
        if cls not in cache:
            cache[cls] = frozenset(t[0] for t in self.terms.get(cls, ()) if len(t) == 1)
        return cache[cls]

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every first token of a predicate term: a text without one can never be flagged."""
        cached = self.__dict__.get("_vocabulary")
        if cached is None:
            cached = frozenset(t[0] for c in PREDICATE_CLASSES for t in self.terms.get(c, ()))
            object.__setattr__(self, "_vocabulary", cached)
        return cached

    def could_fire(self, tokens) -> bool:
        """Cheap superset test on a token set: can any predicate be found? (A weak money word counts only
        with an amount word next to it, which the set test approximates by "an amount word occurs".)"""
        single, phrases, weak = self._triggers()
        tokens = tokens if isinstance(tokens, (set, frozenset)) else set(tokens)
        if not single.isdisjoint(tokens):
            return True
        for head in phrases.keys() & tokens:
            if any(p <= tokens for p in phrases[head]):
                return True
        return not weak.isdisjoint(tokens) and (not AMOUNT_HINTS.isdisjoint(tokens)
                                                 or any(t[:1].isdigit() and t[-2:] in ("rb", "jt") for t in tokens))

    def _triggers(self):
        cached = self.__dict__.get("_trigger_cache")
        if cached is None:
            terms = [t for c in PREDICATE_CLASSES if c != "money_weak" for t in self.terms.get(c, ())]
            single = frozenset(t[0] for t in terms if len(t) == 1)
            phrases: dict[str, list[frozenset[str]]] = {}
            for t in terms:
                if len(t) > 1:
                    phrases.setdefault(t[0], []).append(frozenset(t))
            weak = frozenset(t[0] for t in self.terms.get("money_weak", ()))
            cached = (single, phrases, weak)
            object.__setattr__(self, "_trigger_cache", cached)
        return cached

    def match(self, tokens: Tokens, classes: tuple[str, ...]) -> list[tuple[int, int, str]]:
        """Longest matches ``(start, end, class)`` of the given classes, left to right, non-overlapping
        within a class (one pass over the tokens)."""
        heads = self._heads(classes)
        norms = tokens.norms
        n = len(norms)
        out: list[tuple[int, int, str]] = []
        free = dict.fromkeys(classes, 0)  # per class: first token not yet inside a match
        for i in compress(range(n), map(heads.__contains__, norms)):  # the tokens that start a term, found in C
            options = heads[norms[i]]
            best: dict[str, int] = {}
            for length, cls in options:
                if i >= free[cls] and length > best.get(cls, 0) and i + length <= n \
                        and (length == 1 or norms[i:i + length] in self.terms[cls]):
                    best[cls] = length
            for cls, length in best.items():
                out.append((i, i + length, cls))
                free[cls] = i + length
        return out

    def _heads(self, classes: tuple[str, ...]) -> dict[str, tuple[tuple[int, str], ...]]:
        cache = self.__dict__.setdefault("_heads_by", {})
        if classes not in cache:
            heads: dict[str, set[tuple[int, str]]] = {}
            for cls in classes:
                for t in self.terms.get(cls, ()):
                    heads.setdefault(t[0], set()).add((len(t), cls))
            cache[classes] = {k: tuple(sorted(v, reverse=True)) for k, v in heads.items()}
        return cache[classes]

    def match_at(self, norms: tuple[str, ...], i: int, cls: str) -> int:
        """Length of the longest term of ``cls`` starting at token ``i`` (0 if none)."""
        if i >= len(norms):
            return 0
        for length, _ in self._heads((cls,)).get(norms[i], ()):
            if i + length <= len(norms) and (length == 1 or norms[i:i + length] in self.terms[cls]):
                return length
        return 0

    def __getstate__(self):
        return {"terms": self.terms}

    def __setstate__(self, state):
        object.__setattr__(self, "terms", state["terms"])


PREDICATE_CLASSES = ("extort", "money", "fraud", "corrupt", "threat", "violence", "sexual", "cover", "abuse", "money_weak")


@lru_cache(maxsize=4)
def load_terms(path: str | None = None) -> Lexicon:
    """The detector's word lists (``pipeline/resources/accusation_terms.tsv`` unless ``path``)."""
    source = Path(path) if path else resources.files("pipeline.resources") / "accusation_terms.tsv"
    terms: dict[str, set[tuple[str, ...]]] = {}
    with source.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t")
        header = next(rows, None)
        if header != ["class", "term"]:
            raise ValueError(f"{source}: expected the header 'class<TAB>term', got {header!r}")
        for k, row in enumerate(rows, start=2):
            if not row:
                continue
            if len(row) != 2 or not row[1].strip():
                raise ValueError(f"{source}: line {k}: expected 'class<TAB>term', got {row!r}")
            toks = tuple(tokenize(row[1]))
            if toks and len(toks) <= MAX_PHRASE:
                terms.setdefault(row[0].strip(), set()).add(toks)
                if toks[0].startswith("di") and len(toks[0]) > 4 and len(toks) < MAX_PHRASE:
                    # "di kenakan biaya", "di palak": the passive prefix written apart
                    terms[row[0].strip()].add(("di", toks[0][2:], *toks[1:]))
    return Lexicon({k: frozenset(v) for k, v in terms.items()})
