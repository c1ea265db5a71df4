"""Which complaints screening can say anything about: a necessary condition, checked once per text.

Nine complaints in ten contain no word a rule or the accusation detector needs, and for a complaint
in the complaint register nothing but rule evidence or an accusation can flag it (see
:mod:`pipeline.screening.screener`). :class:`Prefilter` settles those texts from the token forms the
router already computed (``Document.token_norms``) without tokenising again, building spans or
reading the slang table word by word:

1. one set operation: does the text hold a *key* word of some term (plus the informal spellings the
   slang table maps onto one)? Every term has one key, and a term can only match where its key
   occurs, so a text without keys is settled;
2. otherwise the set-level tests of both components on the text's words with the one-word slang forms
   mapped (what ``match_norms`` would hold): a rule trigger (:meth:`Lexicon.could_match`), or a
   predicate term of the accusation detector with all its words present.

Both steps only ever answer "cannot fire" when every word set a component could look at lacks what
it needs, so the texts they settle are exactly the texts the full analysis would leave unflagged.
Keys are the rarest word of each term in the first texts seen (any word of a term is a correct key;
the choice only changes how many texts reach step 2).
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from pipeline.screening.lexicons import Lexicon as RuleLexicon
from pipeline.screening.spans import PREDICATE_CLASSES
from pipeline.screening.spans import Lexicon as AccusationLexicon

SAMPLE_TEXTS = 2000  # texts whose word counts choose the keys


class Prefilter:
    """``could_fire(norms)``: False only when no rule and no accusation predicate can match the text."""

    def __init__(self, rules: RuleLexicon, accusation: AccusationLexicon, slang: dict):
        self.rules = rules
        self.accusation = accusation
        self.slang = slang
        single, phrases, pairs = rules._triggers()
        terms: list[tuple[str, ...]] = [(w,) for w in single]
        terms += [tuple(p) for group in phrases.values() for p in group]
        # a pair fires only when both sides occur: either side alone is a necessary condition
        self._pairs = [tuple(sorted(p, key=sorted)) for p in pairs]
        self._predicates = [t for c in PREDICATE_CLASSES for t in accusation.terms.get(c, ())]
        self._terms = terms + self._predicates
        vocabulary = {w for t in self._terms for w in t} | {w for pair in self._pairs for side in pair for w in side}
        # informal words whose one-word standard form takes part in a term (match_norms maps them)
        self._informal = frozenset(w for w, m in slang.items() if len(m) == 1 and m[0] in vocabulary)
        self._keys: frozenset[str] | None = None
        self._by_key: dict[str, list[frozenset[str]]] = {}

    def _choose_keys(self, sample: Sequence[Sequence[str]]) -> None:
        counts = Counter(w for norms in sample for w in set(norms))
        keys: set[str] = set()
        by_key: dict[str, list[frozenset[str]]] = {}
        for t in self._predicates:
            key = min(t, key=lambda w: (counts[w], w))
            by_key.setdefault(key, []).append(frozenset(t))
        for t in self._terms:
            keys.add(min(t, key=lambda w: (counts[w], w)))
        for pair in self._pairs:  # the side that occurs in fewer texts
            keys |= min(pair, key=lambda side: (sum(counts[w] for w in side), len(side)))
        standard = frozenset(keys)
        informal = frozenset(w for w in self._informal if self.slang[w][0] in standard)
        self._keys = standard | informal
        self._by_key = by_key

    def prepare(self, sample: Sequence[Sequence[str]]) -> None:
        """Choose the keys from the word lists of some texts (once; later calls keep them)."""
        if self._keys is None:
            self._choose_keys(list(sample)[:SAMPLE_TEXTS])

    def could_fire(self, norms: Sequence[str]) -> bool:
        if self._keys is None:
            self._choose_keys([norms])
        if self._keys.isdisjoint(norms):
            return False
        words = set(norms)
        informal = words & self._informal
        if informal:
            words |= {self.slang[w][0] for w in informal}
        if self.rules.could_match(words):
            return True
        return self.accusation_could_fire(words)

    def accusation_could_fire(self, words: set[str] | frozenset[str]) -> bool:
        """Can the accusation detector find a predicate in a text with these (slang-mapped) words?"""
        if self._keys is None:
            self._choose_keys([list(words)])
        if not any(p <= words for key in self._by_key.keys() & words for p in self._by_key[key]):
            return False
        return self.accusation.could_fire(words)  # the detector's own pre-check, as before
