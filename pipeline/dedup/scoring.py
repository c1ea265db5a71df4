"""Pair score: the probability that a new complaint duplicates an earlier one.

A logistic model over interpretable pair features, fitted on hand-labelled pairs of the 2022 Surabaya
export (``pipeline/dedup/labels_2022*.csv`` hold only the two complaint ids and the label;
``python -m pipeline.dedup.calibrate`` refits, prints the coefficients below and the cross-validated
figures).

Features (all computed by :func:`pipeline.dedup.pairs.pair_features`):

- ``text``: IDF-weighted cosine of the content words (stemmed, slang-normalised, stop words out);
- ``place``: IDF-weighted cosine of the address words (``place_missing`` = 1 when either address
  is empty, so an empty address is neither evidence for nor against); ``place_equal``: the same
  address words;
- ``number_conflict``: both name a house/alley/block number or alley name and share none;
  ``number_match``: they share one;
- ``same_area``: same kelurahan (kecamatan when the kelurahan is unknown); ``other_area``: both name
  a kelurahan and they differ;
- ``log_info``: log(1 + summed IDF of the shorter text's words), i.e. how *specific* the text is —
  a long, specific text repeated nearly verbatim is the same person re-sending, a two-word
  "lampu PJU mati" is not evidence of anything without the place;
- ``max_shared_idf``: IDF of the rarest shared word / 10 (a named venue, "OXIGEN", "Whisper");
- ``problem_conflict``: both name a kind of problem (:mod:`pipeline.dedup.problems`) and share none;
- ``gap``: days between the two / 60;
- ``exact``: the normalised texts are identical.
"""

from __future__ import annotations

import math

FEATURES = ("text", "place", "place_missing", "place_equal", "number_conflict", "number_match", "same_area",
            "other_area", "log_info", "max_shared_idf", "problem_conflict", "gap", "exact")

# Fitted by pipeline/dedup/calibrate.py (L2-regularised logistic regression, C=1) on the 603 labelled pairs.
COEFFICIENTS = {
    "text": 1.39,
    "place": 1.8,
    "place_missing": 1.07,
    "place_equal": 0.74,
    "number_conflict": -1.75,
    "number_match": 1.5,
    "same_area": 0.76,
    "other_area": -0.76,
    "log_info": 0.66,
    "max_shared_idf": 0.83,
    "problem_conflict": -2.35,
    "gap": -0.84,
    "exact": 1.82,
}
INTERCEPT = -5.34
# is_duplicate when the gated score reaches this (time-blocked cross-validated precision 0.92, recall 0.72
# on the labelled pairs; see models/cards/dedup.md)
DEFAULT_THRESHOLD = 0.7


def probability(features: dict[str, float], coefficients: dict[str, float] | None = None,
                intercept: float | None = None) -> float:
    coef = COEFFICIENTS if coefficients is None else coefficients
    z = INTERCEPT if intercept is None else intercept
    for name, w in coef.items():
        z += w * features[name]
    return 1.0 / (1.0 + math.exp(-z))


# The labelled pairs have word cosine ≥ 0.25 (same place another problem included); below this the
# model is extrapolating, so the score is scaled down linearly: a same-address complaint with a
# different text is another case of the same person, not a duplicate.
TEXT_GATE = 0.25
# Guard: a short, generic text ("jalan berlubang", "PJU padam") from another kelurahan whose address
# does not agree is a new occurrence elsewhere, however identical the words — its score is halved (the
# labels hold such pairs, but few, and the model must not extrapolate from long re-sent letters).
GENERIC_INFO = 3.0  # log_info below this: a few common words
GENERIC_PLACE = 0.2  # address cosine below this: the addresses do not agree (or one is missing)
GENERIC_FACTOR = 0.5


def gate(features):
    """The factor applied to the probability (works on a feature dict of floats or of numpy arrays)."""
    import numpy as np

    text_gate = np.minimum(1.0, np.asarray(features["text"], dtype=float) / TEXT_GATE)
    generic = ((np.asarray(features["other_area"]) > 0) & (np.asarray(features["place"]) < GENERIC_PLACE)
               & (np.asarray(features["log_info"]) < GENERIC_INFO))
    return text_gate * np.where(generic, GENERIC_FACTOR, 1.0)


def score(features: dict[str, float]) -> float:
    """The candidate score shown to operators: the calibrated probability, gated (see :func:`gate`)."""
    return probability(features) * float(gate(features))
