"""Screening: flag abusive, hate/SARA, provocative and defamation-risk texts for human review, with evidence."""

from pipeline.batch import OutputSpec
from pipeline.screening.screener import Evidence, Flag, Screener, ScreeningResult, screening_record

SCREENING_OUTPUT = OutputSpec(
    columns={"flagged": bool, "categories": str, "evidence": str, "reason": str},
    empty={"categories": "[]", "evidence": "[]"},
)

__all__ = ["SCREENING_OUTPUT", "Evidence", "Flag", "Screener", "ScreeningResult", "screening_record"]
