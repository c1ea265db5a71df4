"""Units the router does not know yet, suggested from their description until the next retrain.

A unit added to the tenant's table has no labelled complaints and is not in the model; it becomes a training
document at the next retrain. Until then its description (name, aliases, tasks) is matched against each
complaint: character n-gram TF-IDF, cosine similarity. When a new unit matches at least ``threshold``, it joins
the suggestions (after the model's own, with p = 0: it has no calibrated probability), the explanation says why,
and the complaint is not auto-routed — the model's choice may be the unit whose work the new one took over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.routing.result import Routing, Suggestion


@dataclass
class UnitDescriptions:
    names: list[str]
    vectorizer: TfidfVectorizer
    matrix: object
    threshold: float = 0.2

    @classmethod
    def fit(cls, units: Sequence[tuple[str, str]], threshold: float = 0.2) -> "UnitDescriptions | None":
        """``units``: (name, description text) of units the model does not know; None when there are none."""
        units = [(n, t) for n, t in units if n and t and t.strip()]
        if not units:
            return None
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
        matrix = vectorizer.fit_transform([t for _, t in units])
        return cls([n for n, _ in units], vectorizer, matrix, threshold)

    def best(self, texts: Sequence[str]) -> list[tuple[str, float] | None]:
        """Per text, the best-matching new unit and its similarity, or None below the threshold."""
        if not texts:
            return []
        sims = (self.vectorizer.transform(list(texts)) @ self.matrix.T).toarray()
        out = []
        for row in sims:
            j = int(np.argmax(row))
            out.append((self.names[j], float(row[j])) if row[j] >= self.threshold else None)
        return out

    def apply(self, routing: Routing, match: tuple[str, float] | None) -> Routing:
        """Add the matched new unit to ``routing`` (in place; returns it)."""
        if routing is None or match is None:
            return routing
        name, score = match
        if all(s.opd != name for s in routing.top_k):
            routing.top_k = routing.top_k[:max(len(routing.top_k) - 1, 1)] + [Suggestion(name, 0.0)]
        routing.auto_route = False
        routing.reasons.append(f"unit baru {name} cocok dengan uraian tugasnya (kemiripan {score:.2f}); model "
                               "belum mengenalnya sampai dilatih ulang")
        return routing
