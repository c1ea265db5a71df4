"""Short labels for groups and topics: the most telling *words*, in the form people wrote them.

Comparison runs on stems (``salur``), but a label must read as words (``saluran``): every stem
remembers the readable forms it was seen in (slang already mapped, ``jln`` → ``jalan``) and shows the
most frequent one. "Telling" = shared by many members of the group and rare elsewhere
(share in the group × IDF in the whole index), so "mohon" and "pak" lose to "saluran" and "banjir".
Rare is not enough: a name or a ticket number is rare too. Only alphabetic words of three letters or
more qualify, and words whose stem is not an Indonesian root word (names, typos, English) count at
``foreign_weight`` of their score.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from pipeline.dedup.features import GENERIC_PLACE_WORDS, content_words, term_id
from pipeline.text import lexicon


# greetings and courtesy: in many complaints of one person, never what the problem is (nor are the
# generic place words "jalan", "gang", "rt" of pipeline.dedup.features)
COURTESY_WORDS = frozenset(
    "assalamualaikum assalamu alaikum warahmatullahi wabarakatuh warahmatullah wabarakatuhu salam selamat pagi "
    "siang sore malam terima kasih terimakasih makasih trims mohon tolong bantu bantuan bapak ibu yth kepada "
    "hormat sebelumnya maaf permisi izin ijin mengganggu walikota wali".split()
) | frozenset(  # dates say when, not what
    "januari februari maret april mei juni juli agustus september oktober november desember jan feb mar apr jun "
    "jul agu agt agus sep sept okt nov des senin selasa rabu kamis jumat sabtu minggu tanggal tgl bulan tahun "
    "hari kemarin besok pagi".split()
)


class SurfaceForms:
    """stem id → how often each readable word form was seen (vocabulary-sized, not table-sized)."""

    def __init__(self):
        self._forms: dict[int, dict[str, int]] = {}
        self._known: set[int] = set()  # stems that are Indonesian root words

    @staticmethod
    def kept(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The ``(word, stem)`` pairs :meth:`observe` counts (what a store needs to keep of a complaint)."""
        return [(w, s) for w, s in words
                if len(w) >= 3 and w.isalpha() and w not in COURTESY_WORDS and w not in GENERIC_PLACE_WORDS]

    def observe(self, words: list[tuple[str, str]]) -> None:
        forms = self._forms
        roots = lexicon.root_words()
        for word, stem in self.kept(words):
            key = term_id(stem)
            d = forms.get(key)
            if d is None:
                d = forms[key] = {}
                if stem in roots:
                    self._known.add(key)
            d[word] = d.get(word, 0) + 1

    def is_known(self, stem_id: int) -> bool:
        return stem_id in self._known

    def word(self, stem_id: int) -> str | None:
        d = self._forms.get(stem_id)
        if not d:
            return None
        return min(d.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]


@lru_cache(maxsize=4096)
def place_stems(*names: str) -> frozenset[int]:
    """Stem ids of the words of area names (they say where, which the group already shows, not what)."""
    out: set[int] = set()
    for name in names:
        if name:
            out |= {term_id(stem) for _, stem in content_words(name)}
    return frozenset(out)


def telling_terms(counts: Counter, size: int, idf: dict[int, float], forms: SurfaceForms,
                  exclude: set[int] = frozenset(), k: int = 4, foreign_weight: float = 0.4,
                  idf_cap: float | None = None) -> list[str]:
    """The ``k`` readable words that best characterise a set of ``size`` documents.

    ``counts``: stem id → number of the documents containing it. With three or more documents a word
    must appear in at least two of them (one complaint's detail is not the group's topic).
    ``idf_cap``: rarity beyond "found only in these documents" earns nothing more — otherwise one
    re-sent letter's rarest word ("bengeknya") beats the words that say what it is about; among equals
    the more common (more readable) word wins.
    """
    min_count = 2 if size >= 3 else 1
    cap = float("inf") if idf_cap is None else idf_cap
    scored = sorted(((c / size) * min(idf.get(t, 0.0), cap) * (1.0 if forms.is_known(t) else foreign_weight),
                     -idf.get(t, 0.0), t)
                    for t, c in counts.items() if c >= min_count and t not in exclude)
    out: list[str] = []
    for *_, t in reversed(scored):
        word = forms.word(t)
        if word and word not in out:
            out.append(word)
        if len(out) == k:
            break
    return out
