"""The tenant's handling policy: admin-editable rules that say who handles what, where.

Tenant data (``handling_policy.csv`` in the tenant directory), one rule per row::

    keywords,unit,kecamatan,kelurahan,route_to,reason
    lampu jalan|pju|lampu penerangan,,,Bontobangun,kelurahan,PJU lingkungan ditangani kelurahan

- ``keywords``: ``|``-separated phrases; a phrase matches when all its words occur in the complaint
  (normalised words or their stems). Empty: any text.
- ``unit``: the topic as the router sees it — the Dinas it ranks first for the text. Empty: any.
- ``kecamatan`` / ``kelurahan``: the complaint's area (spelling-insensitive). Empty: any area.
- ``route_to``: ``kelurahan`` or ``kecamatan`` (the complainant's own office, from the area fields),
  ``dinas`` (the best-ranked Dinas rather than an area office), or a unit name.
- ``reason``: shown to the operator (Bahasa Indonesia); a default is written when empty.

A rule needs at least one condition. Where several match, the most specific wins (kelurahan, then
kecamatan, then unit, then keywords), then the earlier row. The rule puts its unit first with the
probability the model gave its own first choice (which moves to the rule's old place), so confidence
and auto-route still say how sure the text is about the topic; the explanation names the rule.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator

from pipeline.errors import DataError
from pipeline.routing.areas import area_key, kind_class
from pipeline.text.tokens import stem_token, tokenize

COLUMNS = ("keywords", "unit", "kecamatan", "kelurahan", "route_to", "reason")
POLICY_FILE = "handling_policy.csv"
TARGET_WORDS = {"kelurahan": "kantor kelurahan setempat", "kecamatan": "kantor kecamatan setempat",
                "dinas": "dinas terkait"}


@dataclass(frozen=True)
class Rule:
    keywords: tuple[tuple[str, ...], ...]
    unit: str
    kecamatan: str
    kelurahan: str
    route_to: str
    reason: str

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        return (bool(self.kelurahan), bool(self.kecamatan), bool(self.unit), bool(self.keywords))

    def matches(self, words: set[str], topic: str | None, kel: str, kec: str) -> bool:
        if self.kelurahan and area_key(kel) != self.kelurahan:
            return False
        if self.kecamatan and area_key(kec) != self.kecamatan:
            return False
        if self.unit and topic != self.unit:
            return False
        return not self.keywords or any(all(w in words for w in phrase) for phrase in self.keywords)

    def explanation(self) -> str:
        return "kebijakan penanganan: " + (self.reason or f"diteruskan ke {TARGET_WORDS.get(self.route_to, self.route_to)}")


def parse_rules(rows: list[dict], source: str = "policy") -> list[Rule]:
    rules = []
    for n, row in enumerate(rows, start=2):
        row = {k: str(row.get(k) or "").strip() for k in COLUMNS}
        if not row["route_to"]:
            raise DataError(f"{source}: row {n}: 'route_to' is empty (kelurahan, kecamatan, dinas or a unit name)")
        phrases = tuple(tuple(tokenize(p)) for p in row["keywords"].split("|") if tokenize(p))
        rule = Rule(phrases, row["unit"], area_key(row["kecamatan"]), area_key(row["kelurahan"]),
                    row["route_to"].lower() if row["route_to"].lower() in TARGET_WORDS else row["route_to"],
                    row["reason"])
        if not any(rule.specificity):
            raise DataError(f"{source}: row {n}: a rule needs keywords, a unit or an area")
        rules.append(rule)
    return rules


def load_policy(path: str | Path) -> list[dict]:
    """Rows of a tenant's ``handling_policy.csv`` (none when the file does not exist)."""
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    parse_rules(rows, str(path))  # fail on load, not on the first complaint
    return rows


class HandlingPolicy(BaseEstimator):
    """An area step of :class:`~pipeline.routing.adaptive.AdaptiveRouter`; ``rules``: rows as in the module docstring."""

    def __init__(self, rules: list[dict] | None = None):
        self.rules = rules

    def fit(self, router=None, df=None, y=None, docs=None):
        self.rules_ = sorted(parse_rules(list(self.rules or [])), key=lambda r: r.specificity, reverse=True)
        return self

    def adjust(self, proba, classes, df, docs, reasons):
        if not self.rules_:
            return proba, classes
        dinas = np.array([not c.startswith("__") for c in classes])
        proba = proba.copy()
        for i, (doc, kel, kec) in enumerate(zip(docs, df["kelurahan"], df["kecamatan"])):
            topic = classes[int(np.where(dinas, proba[i], -1.0).argmax())] if dinas.any() else None
            norms = doc.match_norms if hasattr(doc, "match_norms") else tokenize(str(doc))
            words = set(norms) | {stem_token(w) for w in norms}
            rule = next((r for r in self.rules_ if r.matches(words, topic, kel, kec)), None)
            if rule is None:
                continue
            target = self._target(rule, proba[i], classes, dinas, topic)
            if target not in classes:
                classes = classes + [target]
                proba = np.hstack([proba, np.zeros((len(proba), 1))])
                dinas = np.append(dinas, True)
            j, best = classes.index(target), int(proba[i].argmax())
            proba[i, j], proba[i, best] = proba[i, best], proba[i, j]
            reasons[i].append(rule.explanation())
        return proba, classes

    @staticmethod
    def _target(rule: Rule, row, classes, dinas, topic) -> str:
        if rule.route_to in ("kelurahan", "kecamatan"):
            return kind_class(rule.route_to)
        if rule.route_to == "dinas":
            return topic or classes[int(row.argmax())]
        return rule.route_to
