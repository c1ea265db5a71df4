"""Rising topics: per unit and per kecamatan, words whose complaint count rises against their own history.

A *topic* is a content word (its stem, shown as the readable word). For every scope — a unit, a
kecamatan — and every word, count the complaints containing it in the recent period and in the
baseline period before it, and apply :func:`pipeline.recurring.trend.rate_test` (recent ~
Binomial(n, recent_days / (recent_days + baseline_days)) when the rate is unchanged). Many words are
tested at once, so the p-values are adjusted with Benjamini–Hochberg within each scope kind; a topic
is reported when its adjusted value is below ``alpha`` and it has at least ``min_recent`` complaints.
Words rising in nearly the same complaints ("vaksin", "booster", "dosis") are one topic: a word
whose recent complaints overlap an already reported topic's by ``merge_overlap`` or more joins its
label instead of being listed again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pipeline.dedup.features import content_words, term_id
from pipeline.recurring.labels import COURTESY_WORDS, SurfaceForms, place_stems
from pipeline.recurring.trend import DAY, rate_test

SCOPES = ("opd", "kecamatan")


@dataclass
class TopicRecord:
    id: str
    time: float
    text: str = ""
    opd: str = ""
    kecamatan: str = ""
    words: list[tuple[str, str]] | None = None  # (word, stem) pairs; computed from ``text`` when None


@dataclass
class RisingTopic:
    scope: str  # "opd" or "kecamatan"
    value: str  # the unit or kecamatan
    label: str  # the readable words of the topic, most significant first
    recent: int
    baseline: int
    expected: float
    ratio: float
    p_value: float
    q_value: float
    complaint_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"scope": self.scope, "value": self.value, "label": self.label, "recent": self.recent,
                "baseline": self.baseline, "expected": round(self.expected, 2), "ratio": round(self.ratio, 2),
                "p_value": self.p_value, "q_value": self.q_value, "complaint_ids": self.complaint_ids}


def _bh(pvalues: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (same order as the input)."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, pvalues[i] * m / rank)
        out[i] = running
    return out


def rising_topics(records, as_of: float, recent_days: float = 30.0, baseline_days: float = 180.0,
                  min_recent: int = 5, alpha: float = 0.05, merge_overlap: float = 0.6, max_share: float = 0.1,
                  scopes=SCOPES, limit: int = 50) -> list[RisingTopic]:
    """Topics rising in the ``recent_days`` before ``as_of`` against the ``baseline_days`` before that.

    Records outside ``[as_of - recent_days - baseline_days, as_of]`` are ignored; when the records
    start later than that, the baseline is shortened to what they cover (no invented quiet history).
    Words in more than ``max_share`` of all those complaints ("tidak", "belum", "mohon") are not topics.
    """
    start = as_of - recent_days * DAY
    lo = start - baseline_days * DAY
    forms = SurfaceForms()
    # scope kind → scope value → stem id → [recent ids, baseline count]
    counts: dict[str, dict[str, dict[int, list]]] = {s: defaultdict(dict) for s in scopes}
    earliest = None
    seen = 0
    df: dict[int, int] = defaultdict(int)
    for r in records:
        if not (lo <= r.time <= as_of):
            continue
        earliest = r.time if earliest is None else min(earliest, r.time)
        words = r.words if r.words is not None else content_words(r.text)
        forms.observe(words)
        stems = {term_id(s) for w, s in words if len(w) >= 3 and w.isalpha() and w not in COURTESY_WORDS}
        seen += 1
        for t in stems:
            df[t] += 1
        recent = r.time > start
        for scope in scopes:
            value = getattr(r, scope) or ""
            if not value:
                continue
            table = counts[scope][value]
            for t in stems - place_stems(value) if scope == "kecamatan" else stems:
                cell = table.get(t)
                if cell is None:
                    cell = table[t] = [[], 0]
                if recent:
                    cell[0].append(r.id)
                else:
                    cell[1] += 1
    if earliest is None:
        return []
    covered = (start - max(lo, earliest)) / DAY
    if covered < 1.0:
        return []  # no history to rise against
    common = {t for t, n in df.items() if n > max_share * seen} if seen >= 50 else set()
    out: list[RisingTopic] = []
    for scope in scopes:
        tests = []
        for value, table in counts[scope].items():
            for t, (ids, base) in table.items():
                if len(ids) >= min_recent and t not in common:
                    tests.append((value, t, ids, base, rate_test(len(ids), base, recent_days, covered)))
        q = _bh([x[4].p_rising for x in tests])
        found = sorted((qv, -x[4].ratio, x[0], i) for i, (x, qv) in enumerate(zip(tests, q)) if qv < alpha)
        chosen: dict[str, list[tuple[RisingTopic, set]]] = defaultdict(list)
        for qv, _, value, i in found:
            _, t, ids, base, test = tests[i]
            word = forms.word(t)
            if word is None:
                continue
            members = set(ids)
            home = next((c for c in chosen[value] if len(members & c[1]) >= merge_overlap * len(members)), None)
            if home is not None:
                if word not in home[0].label.split() and len(home[0].label.split()) < 4:
                    home[0].label += " " + word
                continue
            topic = RisingTopic(scope, value, word, test.recent, test.baseline, test.expected, test.ratio,
                                test.p_rising, qv, sorted(members))
            chosen[value].append((topic, members))
            out.append(topic)
    out.sort(key=lambda x: (x.q_value, -x.ratio, x.scope, x.value))
    return out[:limit]
