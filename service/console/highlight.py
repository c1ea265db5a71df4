"""Mark, in the displayed (PII-masked) text, the router's explanation terms and the screening evidence.

Explanation terms come from triage with their spans in the displayed text (``terms[].spans``, computed
by :meth:`pipeline.document.Document.term_spans`); for results stored before spans existed, the same
method runs on the displayed text's :class:`~pipeline.document.Document` — the console has no tokenizer
of its own. Screening evidence spans index the *original* text; they are used as they are when the
displayed text agrees at that place, else the evidence's words are looked up in the displayed text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from pipeline.document import Document

CATEGORY_LABEL = {
    "abusive": "bahasa kasar/makian",
    "hate_sara": "ujaran kebencian (SARA)",
    "provocation": "provokasi/ancaman",
    "defamation_risk": "tuduhan terhadap orang yang dapat dikenali",
}


def category_label(category: str) -> str:
    return CATEGORY_LABEL.get(category, category.replace("_", " "))


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value] if value.strip() else []
    if isinstance(value, dict):
        return [value]
    return list(value) if isinstance(value, (list, tuple)) else [value]


@dataclass
class EvidenceItem:
    text: str
    category: str | None
    start: int | None
    end: int | None
    score: float | None


@dataclass
class Screening:
    """What the triage result says about screening, normalised for display."""

    available: bool
    flagged: bool
    categories: list[str]
    reason: str
    evidence: list[EvidenceItem]


def screening(flags: dict | None, original: str | None) -> Screening:
    if not flags:
        return Screening(False, False, [], "", [])
    categories = [str(c) for c in _as_list(flags.get("categories"))]
    evidence = []
    for ev in _as_list(flags.get("evidence")):
        if isinstance(ev, dict):
            start, end = ev.get("start"), ev.get("end")
            start = start if isinstance(start, int) else None
            end = end if isinstance(end, int) else None
            text = ev.get("text")
            if not text and original and start is not None and end is not None and 0 <= start < end <= len(original):
                text = original[start:end]
            if text:
                evidence.append(EvidenceItem(str(text), ev.get("category"), start, end,
                                             ev.get("score") if isinstance(ev.get("score"), (int, float)) else None))
        elif isinstance(ev, str) and ev.strip():
            evidence.append(EvidenceItem(ev, None, None, None, None))
    return Screening(True, bool(flags.get("flagged")), categories, str(flags.get("reason") or ""), evidence)


def term_spans(text: str, terms: list) -> list[tuple[int, int, str]]:
    """(start, end, term) for every word of ``text`` that an explanation term points at."""
    out: list[tuple[int, int, str]] = []
    missing = []
    for t in terms or []:
        name = t.get("term") if isinstance(t, dict) else (t[0] if isinstance(t, (list, tuple)) and t else t)
        if not isinstance(name, str) or not name.strip():
            continue
        spans = t.get("spans") if isinstance(t, dict) else None
        if isinstance(spans, list) and spans:
            out.extend((int(s), int(e), name) for s, e in spans if 0 <= int(s) < int(e) <= len(text))
        else:
            missing.append(name)
    if missing:
        out.extend((s.start, s.end, s.label) for s in Document.of_cleaned(text).term_spans(missing))
    return out


def evidence_spans(text: str, evidence: list[EvidenceItem]) -> list[tuple[int, int, str]]:
    out = []
    for ev in evidence:
        label = category_label(ev.category) if ev.category else "bukti penyaringan"
        if (ev.start is not None and ev.end is not None and 0 <= ev.start < ev.end <= len(text)
                and text[ev.start:ev.end].casefold() == ev.text.casefold()):
            out.append((ev.start, ev.end, label))
            continue
        needle = ev.text.strip()
        if not needle:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", re.IGNORECASE)
        found = [(m.start(), m.end(), label) for m in pattern.finditer(text)]
        if not found:
            found = [(m.start(), m.end(), label) for m in re.finditer(re.escape(needle), text, re.IGNORECASE)]
        out.extend(found)
    return out


def highlight(text: str, terms: list, evidence: list[EvidenceItem]) -> Markup:
    """``text`` as HTML with ``<mark class="istilah">`` (explanation) and ``<mark class="bukti">`` (evidence)."""
    n = len(text)
    term_at: list[str | None] = [None] * n
    ev_at: list[str | None] = [None] * n
    for s, e, label in term_spans(text, terms):
        for i in range(s, e):
            term_at[i] = term_at[i] or label
    for s, e, label in evidence_spans(text, evidence):
        for i in range(max(0, s), min(n, e)):
            ev_at[i] = ev_at[i] or label
    parts: list[str] = []
    i = 0
    while i < n:
        key = (term_at[i], ev_at[i])
        j = i
        while j < n and (term_at[j], ev_at[j]) == key and text[j] != "\n":
            j += 1
        if j == i:  # a newline
            parts.append("<br>")
            i += 1
            continue
        chunk = escape(text[i:j])
        term, ev = key
        if ev is not None:
            extra = f"; kata kunci rute: {term}" if term else ""
            parts.append(f'<mark class="bukti" title="Bukti penyaringan: {escape(ev)}{escape(extra)}">'
                         f'{chunk}</mark>')
        elif term is not None:
            parts.append(f'<mark class="istilah" title="Kata kunci rute: {escape(term)}">{chunk}</mark>')
        else:
            parts.append(str(chunk))
        i = j
    return Markup("".join(parts))
