"""Area offices: learn which labels are Kelurahan/Kecamatan offices and resolve the right one.

About one complaint in eight is handled by the office of the complaint's own area. A classifier
cannot learn ~200 area offices from a handful of examples each, so the router learns the *kind*
(``Kelurahan``/``Kecamatan``) and this module turns a kind into a concrete office, from the
complaint's area fields or, failing those, from an area name found in the text. Offices never
seen in training are still reachable: the name is built from the area itself.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

from sklearn.base import BaseEstimator

from pipeline.document import Document
from pipeline.text.tokens import tokenize

KIND_MARK = "__{}__"  # internal class name of an area-office kind, e.g. "__kelurahan__"

DEFAULT_OFFICE_PREFIXES: dict[str, tuple[str, ...]] = {
    "kelurahan": ("Kelurahan ", "Desa "),
    "kecamatan": ("Kecamatan ",),
}

# words that introduce an area name in free text
_KIND_CUES: dict[str, frozenset[str]] = {
    "kelurahan": frozenset({"kelurahan", "kel", "kelurahanan", "desa", "ds"}),
    "kecamatan": frozenset({"kecamatan", "kec", "kcm"}),
}


def area_key(name: str) -> str:
    """Spelling-insensitive key: ``Wonorejo - Rungkut`` and ``wonorejo rungkut`` are one area."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def kind_class(kind: str) -> str:
    return KIND_MARK.format(kind)


@dataclass(frozen=True)
class Resolution:
    office: str
    source: str  # "field:<kind>", "text", "built"
    area: str
    kind: str | None = None  # "kelurahan" or "kecamatan": which kind of area office


class AreaOffices(BaseEstimator):
    """Maps labels to kinds and kinds back to offices.

    Parameters
    ----------
    office_prefixes:
        kind → label prefixes that mark an area office of that kind.
    gazetteer:
        optional tenant gazetteer: rows of ``(kecamatan, kelurahan)``. Training rows add to it.
    fuzzy_cutoff:
        similarity (difflib ratio) above which a misspelt area still resolves to a known office.
    """

    def __init__(
        self,
        office_prefixes: Mapping[str, Sequence[str]] | None = None,
        gazetteer: Sequence[tuple[str, str]] | None = None,
        fuzzy_cutoff: float = 0.85,
    ):
        self.office_prefixes = office_prefixes
        self.gazetteer = gazetteer
        self.fuzzy_cutoff = fuzzy_cutoff

    # -- labels ----------------------------------------------------------------------------
    def _prefixes(self) -> Mapping[str, Sequence[str]]:
        return self.office_prefixes or DEFAULT_OFFICE_PREFIXES

    def kind_of(self, label: str) -> str | None:
        for kind, prefixes in self._prefixes().items():
            if any(label.startswith(p) for p in prefixes):
                return kind
        return None

    def to_class(self, label: str) -> str:
        kind = self.kind_of(label)
        return kind_class(kind) if kind else label

    def class_kind(self, cls: str) -> str | None:
        if not cls.startswith("__"):
            return None
        for kind in self._prefixes():
            if cls == kind_class(kind):
                return kind
        return None

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, labels: Iterable[str], kelurahan: Iterable[str], kecamatan: Iterable[str]):
        """Learn office names, how area-field spellings map onto them, and the area hierarchy."""
        fields = {"kelurahan": list(kelurahan), "kecamatan": list(kecamatan)}
        labels = list(labels)
        offices: dict[str, dict[str, str]] = defaultdict(dict)
        votes: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
        for i, label in enumerate(labels):
            kind = self.kind_of(label)
            if kind is None:
                continue
            name = self._strip_prefix(label, kind)
            offices[kind][area_key(name)] = label
            value = fields.get(kind, [""] * len(labels))[i]
            if isinstance(value, str) and value.strip():
                votes[kind][area_key(value)][label] += 1
        # a field spelling maps to an office when it (fuzzily) names that office
        aliases: dict[str, dict[str, str]] = defaultdict(dict)
        for kind, by_value in votes.items():
            for key, counter in by_value.items():
                for label, _n in counter.most_common():
                    if _similar(key, area_key(self._strip_prefix(label, kind)), self.fuzzy_cutoff):
                        aliases[kind][key] = label
                        break
        self.offices_ = {k: dict(v) for k, v in offices.items()}
        self.aliases_ = {k: dict(v) for k, v in aliases.items()}
        self.prefix_ = {k: self._infer_prefix(k, labels) for k in self._prefixes()}

        parent: dict[str, Counter] = defaultdict(Counter)
        names: dict[str, dict[str, str]] = {"kelurahan": {}, "kecamatan": {}}
        for kec, kel in list(self.gazetteer or ()) + list(zip(fields["kecamatan"], fields["kelurahan"])):
            if isinstance(kel, str) and kel.strip():
                names["kelurahan"].setdefault(area_key(kel), kel.strip())
            if isinstance(kec, str) and kec.strip():
                names["kecamatan"].setdefault(area_key(kec), kec.strip())
                if isinstance(kel, str) and kel.strip():
                    parent[area_key(kel)][kec.strip()] += 1
        self.area_names_ = names
        self.parent_ = {k: c.most_common(1)[0][0] for k, c in parent.items()}
        self._matcher = None
        self._first_words_cache = None
        self._office_cache = {}
        self._resolution_cache = {}
        return self

    def _strip_prefix(self, label: str, kind: str) -> str:
        for p in self._prefixes()[kind]:
            if label.startswith(p):
                return label[len(p):]
        return label

    def _infer_prefix(self, kind: str, labels: list[str]) -> str:
        seen = Counter(p for lab in labels for p in self._prefixes()[kind] if lab.startswith(p))
        return seen.most_common(1)[0][0] if seen else self._prefixes()[kind][0]

    # -- resolving -------------------------------------------------------------------------
    def resolve(self, kind: str, kelurahan: str | None, kecamatan: str | None,
                text: str | Document = "") -> Resolution | None:
        """The office of ``kind`` responsible for a complaint, or ``None`` if its area is unknown.

        ``text`` (the complaint, or its analysed :class:`Document`) is searched for an area name
        only when the fields do not settle it."""
        cache = self.__dict__.setdefault("_resolution_cache", {})
        key = (kind, kelurahan, kecamatan)
        found = cache.get(key)  # field-based answers repeat across complaints; text-based ones do not
        if found is not None:
            return found
        res = self._resolve(kind, kelurahan, kecamatan, text)
        if res is not None and res.source != "text":
            cache[key] = res
        return res

    def _resolve(self, kind: str, kelurahan, kecamatan, text: str) -> Resolution | None:
        fields = {"kelurahan": _clean(kelurahan), "kecamatan": _clean(kecamatan)}
        value = fields.get(kind)
        source = f"field:{kind}"
        if not value and kind == "kecamatan" and fields["kelurahan"]:
            value = self.parent_.get(area_key(fields["kelurahan"]))
            source = "field:kelurahan"
        if not value and (text.original if isinstance(text, Document) else text):
            value = self.find_area(kind, text)
            source = "text"
        if not value:
            return None
        return Resolution(self._office_for(kind, value), source, value, kind)

    def _office_for(self, kind: str, value: str) -> str:
        cache = self.__dict__.setdefault("_office_cache", {})
        office = cache.get((kind, value))
        if office is None:
            office = cache[(kind, value)] = self._lookup_office(kind, value)
        return office

    def _lookup_office(self, kind: str, value: str) -> str:
        key = area_key(value)
        known = self.offices_.get(kind, {})
        label = self.aliases_.get(kind, {}).get(key) or known.get(key)
        if label:
            return label
        close = difflib.get_close_matches(key, list(known), n=1, cutoff=self.fuzzy_cutoff)
        if close:
            return known[close[0]]
        canonical = self.area_names_.get(kind, {}).get(key, value.strip())
        return self.prefix_[kind] + _title(canonical)

    # -- text gazetteer (spaCy PhraseMatcher over our own tokens) ---------------------------
    def find_area(self, kind: str, text: str | Document) -> str | None:
        """An area of ``kind`` named in ``text``; a name after a cue word ("kel.", "kec.") wins.

        Every match starts at a token equal to the first word of a phrase of that kind, so a text with
        none of those words has no match: it is answered from a set, without spaCy (most complaints that
        get here name no area; the import and the matcher cost about a second per process)."""
        tokens = text.raw_tokens if isinstance(text, Document) else tokenize(text)
        if not tokens:
            return None
        first = self._first_words().get(kind)
        if not first or first.isdisjoint(tokens):
            return None
        return self._match_area(kind, tokens)

    def warm(self) -> None:
        """Build the text gazetteer now (spaCy's import and the PhraseMatcher, about a second), not on the first text
        naming an area: a server does so before it says ready; a batch run does not (most rows name no area)."""
        self._first_words()
        self._get_matcher()

    def _match_area(self, kind: str, tokens: list[str]) -> str | None:
        """:meth:`find_area` by the PhraseMatcher alone, on the text's tokens (the oracle of the pre-check)."""
        matcher, vocab = self._get_matcher()
        if matcher is None or not tokens:
            return None
        from spacy.tokens import Doc

        doc = Doc(vocab, words=tokens)
        best: tuple[int, int, str] | None = None
        for match_id, start, end in matcher(doc):
            label = vocab.strings[match_id]
            match_kind, key = label.split(":", 1)
            if match_kind != kind:
                continue
            cued = start > 0 and doc[start - 1].text in _KIND_CUES[kind]
            rank = (1 if cued else 0, end - start)
            if best is None or rank > best[:2]:
                best = (*rank, self.area_names_[kind][key])
        return best[2] if best else None

    def _phrases(self) -> Iterator[tuple[str, str, list[str]]]:
        """``(kind, key, words)`` of every gazetteer name the matcher looks for."""
        for kind, by_key in getattr(self, "area_names_", {}).items():
            for key, name in by_key.items():
                words = tokenize(name)
                if words and (len(words) > 1 or len(words[0]) >= 4):
                    yield kind, key, words

    def _first_words(self) -> dict[str, frozenset[str]]:
        """Per kind, the first words of its phrases (kept; rebuilt after unpickling)."""
        first = getattr(self, "_first_words_cache", None)
        if first is None:
            by_kind: dict[str, set[str]] = defaultdict(set)
            for kind, _key, words in self._phrases():
                by_kind[kind].add(words[0])
            first = self._first_words_cache = {k: frozenset(v) for k, v in by_kind.items()}
        return first

    def _get_matcher(self):
        if getattr(self, "_matcher", None) is None:
            names = getattr(self, "area_names_", {})
            if not any(names.values()):
                return None, None
            from spacy.matcher import PhraseMatcher
            from spacy.tokens import Doc

            from pipeline.text.spacy_vocab import indonesian_vocab

            vocab = indonesian_vocab()
            matcher = PhraseMatcher(vocab)
            for kind, key, words in self._phrases():
                matcher.add(f"{kind}:{key}", [Doc(vocab, words=words)])
            self._matcher = (matcher, vocab)
        return self._matcher

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_matcher"] = None  # rebuilt lazily; spaCy objects do not belong in the artifact
        state.pop("_first_words_cache", None)
        state.pop("_office_cache", None)
        state.pop("_resolution_cache", None)
        return state


def _clean(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _title(name: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in name.split())


def _similar(a: str, b: str, cutoff: float) -> bool:
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= cutoff
