"""Recurring-problem groups: the same problem, in the same place, reported again over months.

Each new complaint asks the duplicate index (:class:`pipeline.dedup.DuplicateFinder`, with a long
window) for its nearest earlier neighbours — the index's candidate search and pair features, so
there is one notion of text similarity in the project — and *links* to each neighbour that

- is at the same place: same kelurahan (kecamatan when no kelurahan is known) or similar address
  words, and does not name a different house/alley number ("No. 45" vs "No. 43" are two spots);
- says the same thing: word cosine ≥ ``min_text`` (≥ ``min_text_other_unit`` when the two were
  routed to different units), or is a probable duplicate outright.

A link into a group of three or more also needs the complaint to resemble the group as a whole
(word cosine with the group's word profile ≥ ``min_group_text``), so one street named
"Beji PDAM" does not chain its lamp, pipe and pothole reports into one "problem".

A complaint joins the group of what it links to; when it links two groups they merge (the group keeps
the id of its earliest complaint, so ids are stable). Cost per complaint: one index query (bounded
by the index's posting budget and candidate cap) plus relabelling the smaller group on a merge —
independent of how many complaints are stored.
"""

from __future__ import annotations

import math

from sklearn.base import BaseEstimator

from pipeline.dedup import ComplaintFeatures, DuplicateFinder
from pipeline.dedup.features import content_words
from pipeline.recurring import trend as trends
from pipeline.recurring.labels import SurfaceForms, place_stems, telling_terms
from pipeline.recurring.records import Assignment, Group, GroupSummary, Link, RecurringComplaint  # noqa: F401 (re-exported)

DAY = 86400.0


def prepare(c: RecurringComplaint) -> tuple[ComplaintFeatures, list[tuple[str, str]]]:
    """What :meth:`RecurringGrouper.add` reads of a complaint's text (pure: may run in a worker process)."""
    return (ComplaintFeatures.build(c.id, c.time, c.text, c.kelurahan, c.kecamatan, c.address),
            content_words(c.text))


class RecurringGrouper(BaseEstimator):
    """Incremental recurring-problem groups (see the module docstring).

    Parameters
    ----------
    window_days : a complaint links only to complaints at most this many days earlier (a problem
        quiet for longer starts a new group when it returns).
    neighbours : nearest earlier complaints examined per new complaint.
    candidates : complaints the index scores to find them (its ``max_candidates``).
    min_text, min_text_other_unit : word cosine needed to link (same/unknown unit, different units).
    min_group_text : word cosine with a group's profile needed to join a group of three or more.
    min_place : address-word cosine that counts as "same place" when the areas differ or are unknown.
    recent_days, alpha : the trend test (:mod:`pipeline.recurring.trend`).
    """

    def __init__(self, window_days: float = 180.0, neighbours: int = 8, candidates: int = 20, min_text: float = 0.3,
                 min_text_other_unit: float = 0.5, min_group_text: float = 0.2, min_place: float = 0.5, recent_days: float = 30.0,
                 alpha: float = 0.1):
        self.window_days = window_days
        self.neighbours = neighbours
        self.candidates = candidates
        self.min_text = min_text
        self.min_text_other_unit = min_text_other_unit
        self.min_group_text = min_group_text
        self.min_place = min_place
        self.recent_days = recent_days
        self.alpha = alpha

    def _ready(self) -> None:
        if not hasattr(self, "finder_"):
            self.finder_ = DuplicateFinder(window_days=self.window_days, top_k=self.neighbours,
                                           max_candidates=self.candidates, min_score=0.0)
            self.groups_: dict[str, Group] = {}
            self._group_of: list[str | None] = []  # per index doc; None = alone
            self._units: list[str] = []
            self._answered: list[bool] = []
            self._areas: list[tuple[str, str]] = []
            self._doc_of: dict[str, int] = {}
            self.forms_ = SurfaceForms()

    def fit(self, complaints, y=None) -> "RecurringGrouper":
        for attr in ("finder_", "groups_"):
            self.__dict__.pop(attr, None)
        return self.partial_fit(complaints)

    def partial_fit(self, complaints, y=None) -> "RecurringGrouper":
        for c in complaints:
            self.add(c)
        return self

    def __len__(self) -> int:
        return len(self.finder_) if hasattr(self, "finder_") else 0

    def __contains__(self, complaint_id) -> bool:
        return hasattr(self, "finder_") and str(complaint_id) in self._doc_of

    # ------------------------------------------------------------------ linking

    def _links(self, f: ComplaintFeatures, unit: str) -> list[tuple[int, Link]]:
        finder = self.finder_
        cache: dict = {}
        out = []
        fits: dict[str, bool] = {}
        for m in finder.query(f):
            pf = finder.pair_features(f, m.doc, cache)
            if not self._linked(pf, m.score, unit, self._units[m.doc]):
                continue
            gid = self._group_of[m.doc]
            if gid is not None and gid not in fits:
                fits[gid] = self._fits(cache["w"], self.groups_[gid])
            if gid is None or fits[gid]:
                out.append((m.doc, Link(m.id, round(float(m.score), 4), round(pf["text"], 4))))
        return out

    def _fits(self, weights: dict[int, float], g: Group) -> bool:
        """Word cosine of the complaint with the group's profile (IDF × share of members) is high enough."""
        if g.size < 3:
            return True
        idf = self.finder_.term_weights(g.terms.keys())
        profile = {t: idf[t] * c / g.size for t, c in g.terms.items()}
        num = sum(w * profile[t] for t, w in weights.items() if t in profile)
        if num <= 0.0:
            return False
        norm = math.sqrt(sum(w * w for w in weights.values()) * sum(v * v for v in profile.values()))
        return num / norm >= self.min_group_text

    def _linked(self, pf: dict, score: float, unit: str, other_unit: str) -> bool:
        if score >= self.finder_.threshold:
            return True  # a probable duplicate is the same problem by definition
        if pf["number_conflict"]:
            return False
        if not (pf["same_area"] or pf["place"] >= self.min_place):
            return False
        need = self.min_text if not unit or not other_unit or unit == other_unit else self.min_text_other_unit
        return pf["text"] >= need

    def add(self, c: RecurringComplaint, group: str | None = None, *, restore: bool = False,
            prepared=None) -> Assignment:
        """Link ``c`` to earlier complaints and file it in a group.

        ``restore=True`` re-creates a membership decided earlier (reloading persisted groups): no
        linking, ``c`` joins ``group`` or stays alone when it is None. ``prepared`` is :func:`prepare`'s
        result when it was computed elsewhere (another process).
        """
        self._ready()
        f, words = prepared if prepared is not None else prepare(c)
        links = [] if restore else self._links(f, c.unit)
        self.forms_.observe(words)
        doc = self.finder_.add(f)
        self._doc_of[c.id] = doc
        self._group_of.append(None)
        self._units.append(c.unit or "")
        self._answered.append(bool(c.answered))
        self._areas.append((c.kelurahan or "", c.kecamatan or ""))
        if restore:
            if group is None:
                return Assignment(None)
            g = self.groups_.get(group) or self.groups_.setdefault(group, Group(group))
            self._enrol(g, doc)
            return Assignment(group, joined=[c.id])
        if not links:
            return Assignment(None)
        return self._file(doc, [d for d, _ in links], links=[link for _, link in links])

    def _file(self, doc: int, linked_docs: list[int], links: list[Link]) -> Assignment:
        ids = self.finder_.ids_
        targets: dict[str, Group | int] = {}
        for d in linked_docs:
            gid = self._group_of[d]
            if gid is None:
                targets.setdefault(ids[d], d)
            else:
                targets.setdefault(gid, self.groups_[gid])
        times = self.finder_.times

        def founded(t):  # earliest first complaint wins the id
            first = t.docs[0] if isinstance(t, Group) else t
            return (times[first], first)

        ordered = sorted(targets.values(), key=founded)
        keep = ordered[0]
        joined: list[str] = []
        if isinstance(keep, int):
            g = self.groups_[ids[keep]] = Group(ids[keep])
            self._enrol(g, keep)
            joined.append(ids[keep])
        else:
            g = keep
        absorbed = []
        for other in ordered[1:]:
            if isinstance(other, int):
                self._enrol(g, other)
                joined.append(ids[other])
            else:
                absorbed.append(other.id)
                self._absorb(g, other)
        self._enrol(g, doc)
        joined.append(ids[doc])
        return Assignment(g.id, links, absorbed, joined)

    def _enrol(self, g: Group, doc: int) -> None:
        times = self.finder_.times
        t = float(times[doc])
        # keep members in time order (arrivals are nearly always the latest)
        i = len(g.times)
        while i and g.times[i - 1] > t:
            i -= 1
        g.docs.insert(i, doc)
        g.times.insert(i, t)
        self._group_of[doc] = g.id
        if self._units[doc]:
            g.units[self._units[doc]] += 1
        g.areas[self._areas[doc]] += 1
        g.answered += self._answered[doc]
        g.terms.update(self.finder_.terms_of(doc).tolist())

    def _absorb(self, g: Group, other: Group) -> None:
        for doc in other.docs:
            self._enrol(g, doc)
        del self.groups_[other.id]

    def mark_answered(self, complaint_id: str) -> None:
        doc = self._doc_of.get(str(complaint_id))
        if doc is not None and not self._answered[doc]:
            self._answered[doc] = True
            gid = self._group_of[doc]
            if gid is not None:
                self.groups_[gid].answered += 1

    # ------------------------------------------------------------------ reading

    def group_of(self, complaint_id: str) -> str | None:
        doc = self._doc_of.get(str(complaint_id))
        return None if doc is None else self._group_of[doc]

    def label(self, g: Group, k: int = 4) -> str:
        (kel, kec), _ = g.areas.most_common(1)[0]
        finder = self.finder_
        idf = finder.term_weights(g.terms.keys())
        cap = math.log((len(finder) + finder.idf_prior) / (g.size + 1.0))  # a word found only in this group
        return " ".join(telling_terms(g.terms, g.size, idf, self.forms_, place_stems(kel, kec), k, idf_cap=cap))

    def summary(self, g: Group, as_of: float | None = None) -> GroupSummary:
        as_of = g.times[-1] if as_of is None else as_of
        trend, test = trends.group_trend(g.times, as_of, self.recent_days, alpha=self.alpha)
        (kel, kec), _ = g.areas.most_common(1)[0]
        ids = self.finder_.ids_
        return GroupSummary(g.id, g.size, [ids[d] for d in g.docs], g.times[0], g.times[-1], trend,
                            test.as_dict() if test else None, self.label(g), dict(g.units.most_common()),
                            g.answered, kel, kec)

    def summaries(self, min_size: int = 2, as_of: float | None = None) -> list[GroupSummary]:
        """Groups of at least ``min_size``, largest first."""
        out = [self.summary(g, as_of) for g in self.groups_.values() if g.size >= min_size]
        out.sort(key=lambda s: (-s.size, -s.last_at, s.id))
        return out

