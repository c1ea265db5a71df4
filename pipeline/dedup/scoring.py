"""Pair score: the probability that a new complaint duplicates an earlier one.

A logistic model over six interpretable pair features, fitted on hand-labelled candidate pairs of
the 2022 Surabaya export (``pipeline/dedup/labels_2022.csv`` holds only the two complaint ids and
the label; ``python -m pipeline.dedup.calibrate`` refits and prints the coefficients below).

Features (all computed by :meth:`DuplicateFinder.pair_features`):

- ``text``: IDF-weighted cosine of the content words (stemmed, slang-normalised, stop words out);
- ``place``: IDF-weighted cosine of the address words (``place_missing`` = 1 when either address
  is empty, so an empty address is neither evidence for nor against);
- ``number_conflict``: both name a house/alley/block number or alley name and share none;
- ``same_area``: same kelurahan (kecamatan when the kelurahan is unknown);
- ``log_info``: log(1 + summed IDF of the shorter text's words), i.e. how *specific* the text is —
  a long, specific text repeated nearly verbatim is the same person re-sending, a two-word
  "lampu PJU mati" is not evidence of anything without the place;
- ``exact``: the normalised texts are identical.
"""

from __future__ import annotations

import math

FEATURES = ("text", "place", "place_missing", "number_conflict", "same_area", "log_info", "exact")

# Fitted by pipeline/dedup/calibrate.py (L2-regularised logistic regression, C=1) on 248 pairs.
COEFFICIENTS = {
    "text": 0.99,
    "place": 2.35,
    "place_missing": 0.90,
    "number_conflict": -1.95,
    "same_area": 1.41,
    "log_info": 0.99,
    "exact": 2.10,
}
INTERCEPT = -6.06
# is_duplicate when the gated probability reaches this (cross-validated precision 0.96, recall 0.76
# on the labelled pairs; see models/cards/dedup.md)
DEFAULT_THRESHOLD = 0.75


def probability(features: dict[str, float], coefficients: dict[str, float] | None = None,
                intercept: float | None = None) -> float:
    coef = COEFFICIENTS if coefficients is None else coefficients
    z = INTERCEPT if intercept is None else intercept
    for name, w in coef.items():
        z += w * features[name]
    return 1.0 / (1.0 + math.exp(-z))


# The labelled pairs all had clearly similar texts (character TF-IDF cosine ≥ 0.5); below this
# word cosine the model is extrapolating, so the score is scaled down linearly: a same-address
# complaint with a different text is another case of the same person, not a duplicate.
TEXT_GATE = 0.5


def score(features: dict[str, float]) -> float:
    """The candidate score shown to operators: the calibrated probability, gated by text similarity."""
    p = probability(features)
    return p * min(1.0, features["text"] / TEXT_GATE)
