"""The batch-row serialiser: a :class:`TriageResult` as the columns of ``predict``, ``screen`` and ``dedup``.

Column sets and their order are the CLI contract (README "CLI reference"); each component adds its
columns only when it ran. The service maps the same results to its API schema (``service/triage.py``).
"""

from __future__ import annotations

import json
import math

import pandas as pd

from pipeline.batch import OutputSpec
from pipeline.screening import SCREENING_OUTPUT, screening_record
from pipeline.triage.core import TriageItem, TriageResult

__all__ = ["DEDUP_OUTPUT", "ROUTING_OUTPUT", "SCREENING_OUTPUT", "batch_record", "combine", "duplicate_record",
           "items_of", "routing_record", "screening_record"]

ROUTING_OUTPUT = OutputSpec(
    # opd_2 … p_3: the runners-up, flat beside the JSON top_k, for spreadsheets
    columns={"opd": str, "confidence": float, "top_k": str, "opd_2": str, "p_2": float, "opd_3": str, "p_3": float,
             "auto_route": bool, "out_of_tenant": bool, "explanation": str, "model_version": str,
             "warning": str},  # a value that was ignored, naming the row and column (an unreadable date)
    empty={"top_k": "[]"},
)
DEDUP_OUTPUT = OutputSpec(columns={"duplicate_of": str, "is_duplicate": bool}, empty={"duplicate_of": "[]"})


def routing_record(r, model_version: str) -> dict:
    second = r.top_k[1] if len(r.top_k) > 1 else None
    third = r.top_k[2] if len(r.top_k) > 2 else None
    return {
        "opd": r.opd or "",
        "confidence": round(r.confidence, 4),
        "top_k": top_k_json(r.top_k),
        "opd_2": second.opd if second else "",
        "p_2": round(second.p, 4) if second else None,
        "opd_3": third.opd if third else "",
        "p_3": round(third.p, 4) if third else None,
        "auto_route": r.auto_route,
        "out_of_tenant": bool(r.out_of_tenant),
        "explanation": r.explanation,
        "model_version": model_version,
        "warning": "",  # filled in by the batch runner (pipeline/batch/chunks.py) from the input's ignored values
    }


_JSON_STRINGS: dict[str, str] = {}  # unit name → its JSON form (a model has a few dozen units)


def top_k_json(top_k) -> str:
    """``json.dumps([{"opd": …, "p": round(p, 4)}, …], ensure_ascii=False)``, the same text, built directly.

    ``repr(round(p, 4))`` is ``"%.4f" % p`` without its trailing zeros: both round the exact binary value
    half-even to 4 places (CPython's dtoa, mode 3), and a decimal of so few digits is its double's shortest
    repr; for a probability (0 ≤ p ≤ 1, no exponent form) that saves a round() and a second dtoa."""
    parts = []
    for s in top_k:
        name = _JSON_STRINGS.get(s.opd) if isinstance(s.opd, str) else None
        if name is None:
            name = json.dumps(s.opd, ensure_ascii=False)
            if isinstance(s.opd, str) and len(_JSON_STRINGS) < 10_000:
                _JSON_STRINGS[s.opd] = name
        p = s.p
        if type(p) is float and 0.0 <= p <= 1.0:  # a probability: one correctly rounded formatting, no round()
            text = ("%.4f" % p).rstrip("0")
            text = text + "0" if text[-1] == "." else text
        else:
            p = round(p, 4)
            text = float.__repr__(p) if type(p) is float and math.isfinite(p) else json.dumps(p)
        parts.append(f'{{"opd": {name}, "p": {text}}}')
    return "[" + ", ".join(parts) + "]"


def duplicate_record(matches, is_duplicate: bool) -> dict:
    return {
        "duplicate_of": json.dumps([{"id": m.id, "score": round(m.score, 4)} for m in matches], ensure_ascii=False),
        "is_duplicate": bool(is_duplicate),
    }


def batch_record(result: TriageResult) -> dict:
    """The columns of every component that ran, in contract order (routing, screening, duplicates)."""
    record: dict = {}
    if result.routing is not None:
        record.update(routing_record(result.routing, result.model_version or ""))
    if result.screening is not None:
        record.update(screening_record(result.screening))
    if result.duplicates is not None:
        record.update(duplicate_record(result.duplicates, result.is_duplicate))
    return record


def combine(*specs: OutputSpec) -> OutputSpec:
    columns, empty = {}, {}
    for spec in specs:
        columns.update(spec.columns)
        empty.update(spec.empty)
    return OutputSpec(columns, empty)


def items_of(chunk: pd.DataFrame) -> list[TriageItem]:
    """Triage items of a standardised batch chunk (see :meth:`pipeline.columns.InputColumns.standardise`)."""
    n = len(chunk)

    def col(name):
        return chunk[name].tolist() if name in chunk.columns else [""] * n

    return [TriageItem(text, kel or "", kec or "", addr or "", t or None, str(rid or ""))
            for text, kel, kec, addr, t, rid in zip(col("text"), col("kelurahan"), col("kecamatan"), col("address"),
                                                     col("created_at"), col("id"))]
