"""What a complaint accuses someone of: wrongdoing predicates with the cues that change their force.

A *predicate* is a span naming wrongdoing — extortion ("pungli", "memalak"), asking money
("meminta biaya", "dimintai uang"), fraud ("menipu", "memalsukan", "kecurangan"), corruption
("korupsi", "suap", "mafia"), threats, violence, sexual harassment, covering for thugs
("dibekingi") or abuse of position ("hanya keluarga RT", "semena-mena"). Each carries cues read from
its clause:

- ``negated`` — a negation just before it ("tidak dipungut biaya", "bukan penipuan");
- ``hedged`` — a question or a hypothetical around it ("apakah ada pungli?", "takutnya ada
  penyelewengan", "kalau memang liar … pungli");
- ``preventive`` — a request to prevent it, not a report of it ("agar tidak ada pungli",
  "berantas pungli");
- ``reported`` — hearsay ("katanya", "infonya", "viral");
- ``suffered`` — the complainant is the victim ("saya ditipu", "kami dimintai uang");
- ``innocent`` — a threat/violence word about nature or risk ("ancaman banjir", "mengancam
  keselamatan pengguna jalan").
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter, not_

from pipeline.screening.spans import MAX_TOKENS, PREDICATE_CLASSES, Lexicon, Tokens

NEAR = 4  # tokens before a predicate in which prevention cues count
NEG_NEAR = 2  # … and negation
HEDGE_NEAR = 8


@dataclass(frozen=True)
class Predicate:
    start: int
    end: int
    kind: str
    negated: bool = False
    hedged: bool = False
    preventive: bool = False
    reported: bool = False
    suffered: bool = False
    innocent: bool = False


def find_predicates(tok: Tokens, lex: Lexicon) -> list[Predicate]:
    """All wrongdoing predicates of one text with their cues, sorted by position."""
    norms = tok.norms
    cues = {c: lex.words(c) for c in ("negation", "innocent", "self", "passive")}
    phrase_cues = {(s, c) for s, _, c in lex.match(tok, ("hedge", "prevent", "reported"))}
    starts = {c: sorted(s for s, cc in phrase_cues if cc == c) for c in ("hedge", "prevent", "reported")}
    amounts = amount_positions(norms)
    out = []
    for s, e, kind in _longest(lex.match(tok, PREDICATE_CLASSES)):
        clause = tok.clauses[s]
        lo, hi = tok.clause_bounds(s)
        if kind == "money_weak" and not _any_between(amounts, max(lo, s - 8), min(hi, e + 8)):
            continue  # "biaya", "iuran" alone: an accusation only with an amount next to it
        negated = any(w in cues["negation"] for w in norms[max(lo, s - NEG_NEAR):s])
        hedged = _any_between(starts["hedge"], max(lo, s - HEDGE_NEAR), s)
        preventive = _any_between(starts["prevent"], max(lo, s - NEAR - 2), s)
        reported = _any_between(starts["reported"], lo, hi)
        near = set(norms[max(0, s - 2):s]) | set(norms[e:e + 2])
        innocent = kind in ("threat", "violence") and not near.isdisjoint(cues["innocent"])
        suffered = norms[s] in cues["passive"] and any(w in cues["self"] for w in norms[max(lo, s - 3):s])
        out.append(Predicate(s, e, kind, negated, hedged, preventive, reported, suffered, innocent))
    return out


class _Norms:
    """Just the normalised tokens: all :meth:`Lexicon.match` reads."""

    __slots__ = ("norms",)

    def __init__(self, norms: tuple[str, ...]):
        self.norms = norms


def could_find_predicates(norms, lex: Lexicon) -> bool:
    """Whether :func:`find_predicates` can find anything in a text with these normalised tokens — without
    spans or clauses: some predicate term occurs, and a weak money word has an amount within reach (the
    clause only narrows that reach). A necessary condition: False means no predicate."""
    norms = tuple(norms[:MAX_TOKENS])
    amounts = None
    for s, e, kind in lex.match(_Norms(norms), PREDICATE_CLASSES):
        if kind != "money_weak":
            return True
        if amounts is None:
            amounts = amount_positions(norms)
        if _any_between(amounts, max(0, s - 8), e + 8):
            return True
    return False


AMOUNT_WORDS = frozenset({"ribu", "rb", "juta", "jt", "rupiah", "ribuan", "jutaan", "k"})


# no amount starts with an ASCII letter but the "r" of "rp": tokens starting with one are skipped in C
_NOT_AMOUNT_START = frozenset("abcdefghijklmnopqstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def amount_positions(norms: tuple[str, ...]) -> list[int]:
    """The positions at which :func:`_amount_at` finds an amount, in order (only tokens that can start one are
    asked: a digit, "rp", or a letter outside ASCII)."""
    maybe = compress(range(len(norms)), map(not_, map(_NOT_AMOUNT_START.__contains__, map(itemgetter(slice(0, 1)), norms))))
    return [i for i in maybe if _amount_at(norms, i)]


def _amount_at(norms: tuple[str, ...], i: int) -> bool:
    """An amount of money at token ``i``: "50 ribu", "Rp 200.000", "50rb", "1juta"."""
    w = norms[i]
    if w == "rp":
        return i + 1 < len(norms) and norms[i + 1][:1].isdigit()
    if w.isdigit():
        return (i + 1 < len(norms) and norms[i + 1] in AMOUNT_WORDS) or (len(w) >= 3 and i > 0 and norms[i - 1] == "rp")
    return w[:1].isdigit() and (w.endswith("rb") or w.endswith("jt") or w.endswith("ribu") or w.endswith("juta")
                                or w.endswith("k"))


def _any_between(sorted_starts: list[int], lo: int, hi: int) -> bool:
    k = bisect_left(sorted_starts, lo)
    return k < len(sorted_starts) and sorted_starts[k] < hi


def _longest(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Across classes, keep the longest span where two overlap ("pungutan liar" over "pungutan")."""
    spans = sorted(spans, key=lambda x: (x[0], -(x[1] - x[0])))
    out: list[tuple[int, int, str]] = []
    for s, e, c in spans:
        if out and s < out[-1][1]:
            continue
        out.append((s, e, c))
    return out
