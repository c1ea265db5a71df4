"""Rule-based screening: phrase and person patterns over the pipeline's own tokens.

Rules are used where they are more precise than a model trained on tweets:

- ``abusive``: words that are insults in any context; look-alike words ("bego", "maling", "anjing")
  only when aimed at someone ("dasar maling", "kamu bego") and never in their innocent senses;
  quoted insults ("petugas berteriak 'jancok'") are the complainant reporting, not abusing;
- ``hate_sara``: group slurs, or a SARA group word next to an attack word;
- ``provocation``: threats and calls to action ("ayo kita geruduk", "main hakim sendiri");
- ``defamation_risk``: an accusation (pungli, korupsi, penipuan …) near an identifiable person —
  a position tied to a place ("Ketua RT 03", "lurah", "kepala sekolah"), a named person
  ("Pak Barun", "petugas bernama …") or a named company ("PT …").

Matching runs on the normalised tokens (:mod:`pipeline.screening.matching`: the matches spaCy's
PhraseMatcher and Matcher gave, by a dict walk); the capitalisation of a name is checked on the
original words afterwards. The span finder is built lazily and never pickled (:class:`RuleMatcher`
drops it in ``__getstate__``), so a model directory holds only the lexicon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from pipeline.screening.lexicons import Lexicon
from pipeline.screening.matching import SpanFinder

CATEGORIES = ("abusive", "hate_sara", "provocation", "defamation_risk")

# token distance between an accusation and the person it is about
ACCUSATION_WINDOW = 16
# bare "RT"/"RW" is mostly part of an address; it names the RT head only right next to the accusation
BARE_POSITION_WINDOW = 4
BARE_POSITIONS = frozenset({"rt", "rw"})
# texts longer than this (tokens) are matched in windows of ± REACH tokens around trigger words
LONG_TEXT = 60
REACH = ACCUSATION_WINDOW + 6
FILLER = "\u00a6"
SELF_WORDS = frozenset({"saya", "aku", "kami", "sy"})
SELF_CUES = frozenset({"hormat", "selaku", "sebagai"})


@dataclass
class Hit:
    """One piece of rule evidence: token span ``[start, end)``."""

    category: str
    start: int
    end: int
    score: float
    kind: str  # what matched, for the reason ("kata kasar", "tuduhan", "orang", …)
    weak: bool = False  # a contextual word without a target: only counts if the model agrees
    related: list[tuple[int, int, str]] = field(default_factory=list)  # further spans (the accused person …)


def _looks_like_name(word: str) -> bool:
    """``Barun``, ``BARUN``: a capitalised word (names are written so; common words mostly are not)."""
    return word[:1].isupper() and (word[1:].islower() or word.isupper())


class RuleMatcher:
    """Applies the screening rules to one tokenised text (see module docstring)."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._built = False

    def __getstate__(self):
        return {"lexicon": self.lexicon, "_built": False}

    def __setstate__(self, state):
        self.__dict__.update(state)

    # -- the span finder, built on first use ----------------------------------------------------
    def _build(self) -> None:
        self._finder = SpanFinder(self.lexicon)
        self._built = True

    # -- matching ------------------------------------------------------------------------------
    def could_match(self, tokens) -> bool:
        """Cheap pre-check: does the text contain the words some rule needs?"""
        return self.lexicon.could_match(tokens if isinstance(tokens, (set, frozenset)) else set(tokens))

    def match(self, words: list[str] | Callable[[], list[str]], norms: list[str]) -> list[Hit]:
        """Rule hits for a text given as original-case ``words`` and their normalised forms.

        ``words`` may be a function returning them: only a possible name next to an accusation reads
        its capitalisation, so the words (token spans) are then built for few texts.
        Long texts are cut down to windows around the trigger words (wider than any rule's reach,
        separated by filler wider than any rule's reach), so the matchers see few tokens.
        """
        if not norms:
            return []
        get_words = words if callable(words) else (lambda: words)
        if len(norms) <= LONG_TEXT:
            return self._match(lambda k: get_words()[k], norms)
        vocabulary = self.lexicon.trigger_vocabulary
        anchors = [i for i, t in enumerate(norms) if t in vocabulary]
        if not anchors:
            return []
        segments: list[list[int]] = []
        for i in anchors:
            lo, hi = max(0, i - REACH), min(len(norms), i + REACH + 1)
            if segments and lo <= segments[-1][1]:
                segments[-1][1] = max(segments[-1][1], hi)
            else:
                segments.append([lo, hi])
        index: list[int] = []
        n2: list[str] = []
        for k, (lo, hi) in enumerate(segments):
            if k:
                index += [-1] * (REACH + 1)
                n2 += [FILLER] * (REACH + 1)
            index += range(lo, hi)
            n2 += norms[lo:hi]
        hits = self._match(lambda k: FILLER if index[k] < 0 else get_words()[index[k]], n2)
        for h in hits:
            h.start, h.end = index[h.start], index[h.end - 1] + 1
            h.related = [(index[s], index[e - 1] + 1, kind) for s, e, kind in h.related]
        return hits

    def _match(self, word_at: Callable[[int], str], norms: list[str]) -> list[Hit]:
        if not self._built:
            self._build()
        spans = self._finder.phrases(norms)
        # persons (named, companies, "RT 05") only matter next to an accusation: skip the person
        # patterns when no accusation phrase occurs
        if "accuse" in spans:
            for label, start, end in self._finder.persons(norms):
                if label in ("named", "org") and not _looks_like_name(word_at(end - 1)):
                    continue
                spans.setdefault(label, []).append((start, end))
        for v in spans.values():
            v.sort()
        hits: list[Hit] = []
        hits += self._abusive(norms, spans)
        hits += self._hate(norms, spans)
        hits += self._provocation(norms, spans)
        hits += self._defamation(norms, spans)
        return hits

    def _innocent(self, norms: list[str], start: int, end: int) -> bool:
        sides = self.lexicon.innocent.get(" ".join(norms[start:end]))
        if not sides:
            return False
        before = set(norms[max(0, start - 2) : start])
        after = set(norms[end : end + 2])
        return bool(before & sides.get("before", frozenset()) or after & sides.get("after", frozenset()))

    @staticmethod
    def _near(spans: list[tuple[int, int]], start: int, end: int, before: int, after: int) -> bool:
        return any(s < end + after and e > start - before for s, e in spans)

    def _abusive(self, norms, spans) -> list[Hit]:
        out = []
        reported = spans.get("reported", [])
        address = spans.get("address", [])
        for s, e in spans.get("abusive_strong", []):
            if self._near(reported, s, e, before=4, after=0):
                continue
            out.append(Hit("abusive", s, e, 0.9, "kata kasar"))
        for s, e in spans.get("abusive_contextual", []):
            if self._innocent(norms, s, e) or self._near(reported, s, e, before=4, after=0):
                continue
            aimed = self._near(address, s, e, before=2, after=2)
            out.append(Hit("abusive", s, e, 0.8 if aimed else 0.5, "kata kasar", weak=not aimed))
        return out

    def _hate(self, norms, spans) -> list[Hit]:
        out = [Hit("hate_sara", s, e, 0.9, "hinaan terhadap kelompok") for s, e in spans.get("hate_slur", [])]
        attacks = spans.get("attack", [])
        for s, e in spans.get("group", []):
            near = [a for a in attacks if a[0] < e + 4 and a[1] > s - 4 and not (a[0] < e and a[1] > s)]
            if near:
                a = near[0]
                out.append(Hit("hate_sara", min(s, a[0]), max(e, a[1]), 0.85, "serangan terhadap kelompok (SARA)"))
        return out

    def _provocation(self, norms, spans) -> list[Hit]:
        out = []
        reported = spans.get("reported", [])
        for s, e in spans.get("threat", []):
            if self._near(reported, s, e, before=4, after=0):
                continue
            out.append(Hit("provocation", s, e, 0.85, "ancaman atau hasutan"))
        verbs = spans.get("incite_verb", [])
        for s, e in spans.get("incite_cue", []):
            follow = [v for v in verbs if s < v[0] <= e + 2]
            if follow:
                out.append(Hit("provocation", s, follow[0][1], 0.85, "ajakan aksi massa atau kekerasan"))
        return out

    def _defamation(self, norms, spans) -> list[Hit]:
        accusations = [(s, e) for s, e in spans.get("accuse", []) if not self._innocent(norms, s, e)]
        if not accusations:
            return []
        addressee = spans.get("addressee_cue", [])
        persons: list[tuple[int, int, str, float]] = []  # start, end, kind, score
        numbered = {s for s, _ in spans.get("position_number", [])}
        cues = self.lexicon.words("position_cue")
        for s, e in spans.get("position", []):
            bare = e - s == 1 and norms[s] in BARE_POSITIONS
            cued = (s > 0 and norms[s - 1] in cues) or (s > 1 and norms[s - 2] in cues)
            if bare and not cued and s not in numbered:
                continue  # bare "RT"/"RW" is a place unless a cue ("oleh RT") or a number ("RT 09") makes it a head
            if any(w in SELF_CUES for w in norms[max(0, s - 3) : s]) or (s > 0 and norms[s - 1] in SELF_WORDS):
                continue  # "Hormat kami, Ketua RW 10" / "saya selaku ketua RT": the complainant
            kind = "jabatan_bare" if bare else "jabatan"
            end = e + 1 if s in numbered or (e - 1) in numbered else e
            persons.append((s, min(end, len(norms)), kind, 0.75))
        for label, kind, score in (("named", "nama", 0.85), ("named_cue", "nama", 0.85), ("org", "perusahaan", 0.8)):
            for s, e in spans.get(label, []):
                if label == "named" and any(w in SELF_WORDS for w in norms[max(0, s - 2) : s]):
                    continue  # "saya (ibu Monica)": the complainant, not the accused
                persons.append((s, e, kind, score))
        out = []
        used: set[tuple[int, int]] = set()
        for ps, pe, kind, score in sorted(persons):
            if self._near(addressee, ps, pe, before=2, after=0) and kind != "jabatan_bare":
                continue  # "mohon Pak Lurah …": the addressee, not the accused
            window = BARE_POSITION_WINDOW if kind == "jabatan_bare" else ACCUSATION_WINDOW
            near = [a for a in accusations if a[0] < pe + window and a[1] > ps - window]
            near = [a for a in near if not (a[0] < pe and a[1] > ps)]
            if not near:
                continue
            a = min(near, key=lambda x: abs(x[0] - ps))
            if (a, (ps, pe)) in used:
                continue
            used.add((a, (ps, pe)))
            out.append(Hit("defamation_risk", a[0], a[1], score, "tuduhan", related=[(ps, pe, "orang yang dituduh")]))
        return out
