"""What screening says about one complaint: flags with evidence spans into the original text, and why."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

REASON_LABEL = {
    "abusive": "bahasa kasar/makian",
    "hate_sara": "ujaran kebencian (SARA)",
    "provocation": "provokasi/ancaman",
    "defamation_risk": "tuduhan terhadap orang yang dapat dikenali",
}


@dataclass
class Evidence:
    category: str
    start: int
    end: int
    text: str
    score: float

    def as_dict(self) -> dict:
        return {"category": self.category, "start": self.start, "end": self.end, "text": self.text,
                "score": round(self.score, 4)}


@dataclass
class Flag:
    category: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    source: str = "rule"  # "rule" or "model"


@dataclass
class ScreeningResult:
    flagged: bool
    flags: list[Flag]
    reason: str
    register: str = ""
    model_score: float | None = None

    @property
    def categories(self) -> list[str]:
        return [f.category for f in self.flags]

    @property
    def evidence(self) -> list[Evidence]:
        return [e for f in self.flags for e in f.evidence]


def reason_text(flags: list[Flag], model_score: float | None) -> str:
    """Short explanation for the operator, in Bahasa Indonesia."""
    parts = []
    for f in flags:
        words = ", ".join(f"'{e.text}'" for e in f.evidence[:4])
        if f.source == "model":
            parts.append(f"{REASON_LABEL[f.category]} (model, skor {f.score:.2f}): {words}")
        elif f.category == "defamation_risk":
            parts.append(f"{REASON_LABEL[f.category]}: {words} — verifikasi kebenaran sebelum ditindaklanjuti")
        else:
            parts.append(f"{REASON_LABEL[f.category]}: {words}")
    return "Perlu ditinjau petugas — " + "; ".join(parts) + ". Aduan tetap diproses."


def screening_record(r: ScreeningResult) -> dict:
    """The batch output columns of one screening result."""
    if not r.flags:  # the common case: no JSON to build
        return {"flagged": r.flagged, "categories": "[]", "evidence": "[]", "reason": r.reason}
    return {
        "flagged": r.flagged,
        "categories": json.dumps(r.categories, ensure_ascii=False),
        "evidence": json.dumps([e.as_dict() for e in r.evidence], ensure_ascii=False),
        "reason": r.reason,
    }
