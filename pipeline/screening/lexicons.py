"""The screening word lists: the project's own, self-written TSV files in ``pipeline/resources``.

- ``screening_terms.tsv`` (``class``, ``term``): every word or phrase the rules look for, grouped by
  its role (``abusive_strong``, ``accuse``, ``position`` …; see the file);
- ``screening_innocent.tsv`` (``term``, ``side``, ``context``): innocent senses of look-alike words
  ("anjing liar", "kena bego", "maling motor"): a hit is ignored when a context word is next to it.

Terms are matched on normalised tokens (lower case, elongation collapsed), so each term is stored
as a tuple of tokens produced by the same tokenizer as the text.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pipeline.text.tokens import tokenize

CLASSES = (
    "abusive_strong", "abusive_contextual", "hate_slur", "group", "attack", "incite_cue", "incite_verb",
    "threat", "accuse", "position", "title", "name_cue", "org", "address", "reported", "addressee_cue",
    "not_name", "complaint", "complaint_strong", "position_cue",
)


@dataclass(frozen=True)
class Lexicon:
    """Terms by class (tuples of tokens) and innocent contexts (term → side → words)."""

    terms: dict[str, frozenset[tuple[str, ...]]]
    innocent: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)

    def words(self, cls: str) -> frozenset[str]:
        """Single-token terms of a class."""
        return frozenset(t[0] for t in self.terms.get(cls, ()) if len(t) == 1)

    def could_match(self, tokens: set[str] | frozenset[str]) -> bool:
        """Cheap pre-check on a set of tokens: can any rule fire? (A superset test, never a decision.)"""
        single, phrases, pairs = self._triggers()
        if not single.isdisjoint(tokens):
            return True
        for head in phrases.keys() & tokens:
            if any(p <= tokens for p in phrases[head]):
                return True
        return any(not a.isdisjoint(tokens) and not b.isdisjoint(tokens) for a, b in pairs)

    def _triggers(self):
        cached = self.__dict__.get("_trigger_cache")
        if cached is None:
            classes = ("abusive_strong", "abusive_contextual", "hate_slur", "threat", "accuse")
            terms = [t for c in classes for t in self.terms.get(c, ())]
            single = frozenset(t[0] for t in terms if len(t) == 1)
            phrases: dict[str, list[frozenset[str]]] = {}
            for t in terms:
                if len(t) > 1 and t[0] not in single:
                    phrases.setdefault(t[0], []).append(frozenset(t))
            pairs = (
                (self.words("attack"), self.words("group")),
                (self.words("incite_cue") | {t[0] for t in self.terms["incite_cue"]}, self.words("incite_verb")
                 | {t[0] for t in self.terms["incite_verb"]}),
            )
            cached = (single, phrases, pairs)
            vocabulary = set(single) | {w for group in phrases.values() for p in group for w in p}
            for a, b in pairs:
                vocabulary |= a | b
            object.__setattr__(self, "_trigger_vocabulary", frozenset(vocabulary))
            object.__setattr__(self, "_trigger_cache", cached)
        return cached

    @property
    def trigger_vocabulary(self) -> frozenset[str]:
        """Every word that takes part in a trigger (rules run only around these)."""
        self._triggers()
        return self.__dict__["_trigger_vocabulary"]

    def __getstate__(self):
        return {"terms": self.terms, "innocent": self.innocent}

    def __setstate__(self, state):
        for k, v in state.items():
            object.__setattr__(self, k, v)


def _resource(name: str) -> Path:
    return Path(str(resources.files("pipeline.resources").joinpath(name)))


def _rows(path: Path, header: list[str]):
    with path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if line.strip() and not line.startswith("#"))
        reader = csv.reader(lines, delimiter="\t")
        first = next(reader, None)
        if first != header:
            raise ValueError(f"{path}: expected header {'<TAB>'.join(header)!r}, got {first!r}")
        for lineno, row in enumerate(reader, start=2):
            if len(row) != len(header) or not all(cell.strip() for cell in row):
                raise ValueError(f"{path}: data row {lineno}: expected {len(header)} non-empty tab-separated fields")
            yield [cell.strip() for cell in row]


@lru_cache(maxsize=4)
def load_lexicon(terms_path: str | None = None, innocent_path: str | None = None) -> Lexicon:
    terms_file = Path(terms_path) if terms_path else _resource("screening_terms.tsv")
    innocent_file = Path(innocent_path) if innocent_path else _resource("screening_innocent.tsv")
    terms: dict[str, set[tuple[str, ...]]] = {c: set() for c in CLASSES}
    for cls, term in _rows(terms_file, ["class", "term"]):
        if cls not in terms:
            raise ValueError(f"{terms_file}: unknown class {cls!r} for term {term!r}")
        tokens = tuple(tokenize(term))
        if tokens:
            terms[cls].add(tokens)
    innocent: dict[str, dict[str, set[str]]] = {}
    for term, side, context in _rows(innocent_file, ["term", "side", "context"]):
        if side not in ("before", "after"):
            raise ValueError(f"{innocent_file}: side must be 'before' or 'after', got {side!r}")
        innocent.setdefault(term.lower(), {}).setdefault(side, set()).update(tokenize(context))
    return Lexicon(
        terms={c: frozenset(v) for c, v in terms.items()},
        innocent={t: {s: frozenset(w) for s, w in sides.items()} for t, sides in innocent.items()},
    )


@lru_cache(maxsize=2)
def complaint_snippets(path: str | None = None) -> tuple[str, ...]:
    """Self-written ordinary complaint snippets (unflagged examples of the complaint register)."""
    source = Path(path) if path else _resource("screening_complaint_negatives.tsv")
    return tuple(row[0] for row in _rows(source, ["text"]))
