"""What the router says about one complaint: ranked suggestions, confidence, auto-route, why."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.routing.areas import Resolution


@dataclass
class Suggestion:
    opd: str
    p: float


@dataclass
class Routing:
    opd: str | None
    confidence: float
    top_k: list[Suggestion]
    auto_route: bool
    terms: list[tuple[str, float]] = field(default_factory=list)
    area: Resolution | None = None
    conflict: str = ""  # set by triage when the accused is the suggested unit (pipeline/triage/conflict.py)
    reasons: list[str] = field(default_factory=list)  # handling policy, recent decisions (pipeline/routing/adaptive.py)
    out_of_tenant: str = ""  # set by triage when the complaint is not from the model's region (why)
    # explanation term → the complaint's own words for it (set by triage, pipeline/routing/explain.py); a term
    # without words there (a masked placeholder) is not shown
    words: dict[str, str] | None = None
    # what the suggestion looked like when made (pipeline/routing/confidence.py), kept as auto-route evidence
    score_features: list[float] | None = None

    @property
    def keywords(self) -> list[str]:
        """The explanation terms as the operator reads them: the complaint's own words, each once."""
        out: list[str] = []
        for term, _ in self.terms:
            word = term if self.words is None else self.words.get(term)
            if word and not word.startswith("[") and word not in out:
                out.append(word)
        return out

    @property
    def explanation(self) -> str:
        """Why, for the operator (Bahasa Indonesia)."""
        parts = [p for p in (self.conflict, self.out_of_tenant) if p]
        shown = self.keywords
        if shown:
            parts.append("kata kunci: " + ", ".join(shown))
        parts.extend(self.reasons)
        if self.area is not None:
            where = {"text": "disebut dalam teks"}.get(self.area.source, "dari data wilayah pengaduan")
            parts.append(f"kantor wilayah {self.area.area} ({where})")
        if not parts:
            parts.append("tidak ada kata kunci yang menonjol")
        return "; ".join(parts)
