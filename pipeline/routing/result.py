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

    @property
    def explanation(self) -> str:
        """Why, for the operator (Bahasa Indonesia)."""
        parts = [p for p in (self.conflict, self.out_of_tenant) if p]
        if self.terms:
            parts.append("kata kunci: " + ", ".join(t for t, _ in self.terms))
        parts.extend(self.reasons)
        if self.area is not None:
            where = {"text": "disebut dalam teks"}.get(self.area.source, "dari data wilayah pengaduan")
            parts.append(f"kantor wilayah {self.area.area} ({where})")
        if not parts:
            parts.append("tidak ada kata kunci yang menonjol")
        return "; ".join(parts)
