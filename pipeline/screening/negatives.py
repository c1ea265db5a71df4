"""Ordinary complaint texts the screening model must not flag, built from the self-written snippets.

The tweet-trained model has never seen a complaint; these domain negatives teach it what ordinary
complaints look like (deterministic: the same texts every time).
"""

from __future__ import annotations

from pipeline.screening.lexicons import complaint_snippets

OPENINGS = ("", "pak ", "mohon ", "tolong ", "minta tolong ", "bu ", "min ", "assalamualaikum ")
CLOSINGS = ("", " pak", " mohon dibantu", " terima kasih", " tolong segera", " sudah lama", " bu", " gimana ini")


def domain_negatives() -> list[str]:
    """Ordinary complaint texts built from the self-written snippets (deterministic)."""
    out = []
    for i, snippet in enumerate(complaint_snippets()):
        for j in range(4):
            out.append(OPENINGS[(i + j) % len(OPENINGS)] + snippet + CLOSINGS[(i * 3 + j) % len(CLOSINGS)])
    return out
