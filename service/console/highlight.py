"""Mark, in the displayed (PII-masked) text, the router's explanation terms and the screening evidence.

Explanation terms are stems and stem bigrams of the router's word features (``tertib``, ``kapal rintis``);
a word is marked when its stem (after the same slang mapping and stemming as the features) is a term,
and both words of a bigram term are marked when they follow each other (stop words between them allowed).
Screening evidence spans index the *original* text; they are used as they are when the displayed text
agrees at that place, else the evidence's words are looked up in the displayed text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from pipeline.text import lexicon
from pipeline.text.tokens import stem_token, tokenize_with_spans

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


def _norm_stem(token: str) -> str:
    mapped = lexicon.slang_dictionary().get(token)
    if mapped is not None and len(mapped) == 1:
        token = mapped[0]
    return stem_token(token)


def term_spans(text: str, terms: list) -> list[tuple[int, int, str]]:
    """(start, end, term) for every word of ``text`` that an explanation term points at."""
    names = []
    for t in terms or []:
        name = t.get("term") if isinstance(t, dict) else (t[0] if isinstance(t, (list, tuple)) and t else t)
        if isinstance(name, str) and name.strip():
            names.append(name.strip().lower())
    unigrams = {n for n in names if " " not in n}
    bigrams = {tuple(n.split()) for n in names if len(n.split()) == 2}
    if not unigrams and not bigrams:
        return []
    stop = lexicon.stop_words()
    words = [(tok, s, e, _norm_stem(tok)) for tok, s, e in tokenize_with_spans(text)]
    content = [w for w in words if w[0] not in stop and not w[0].isdigit()]
    out: list[tuple[int, int, str]] = []
    for i, (tok, s, e, stem) in enumerate(content):
        if stem in unigrams or tok in unigrams:
            out.append((s, e, stem if stem in unigrams else tok))
        if i + 1 < len(content):
            nxt = content[i + 1]
            if (stem, nxt[3]) in bigrams:
                label = f"{stem} {nxt[3]}"
                out.append((s, e, label))
                out.append((nxt[1], nxt[2], label))
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
