"""The pair features of the duplicate model: how alike two complaints are in words, place, problem and time.

Computed with the IDF of a :class:`~pipeline.dedup.index.DuplicateFinder` (its ``_weights`` and
``_place_weights``), for a query against an indexed complaint or against another complaint that is not
indexed (an earlier item of the same batch). Each feature is described in :mod:`pipeline.dedup.scoring`.
"""

from __future__ import annotations

import math

import numpy as np

from pipeline.dedup import problems
from pipeline.dedup.features import ComplaintFeatures

DAY = 86400.0
GAP_SCALE_DAYS = 60.0  # ``gap`` is the time between the two complaints in units of the default window


def cosine(wa: dict[int, float], wb: dict[int, float]) -> float:
    if not wa or not wb:
        return 0.0
    if len(wa) > len(wb):
        wa, wb = wb, wa
    num = sum(w * w for t, w in wa.items() if t in wb)
    if num == 0.0:
        return 0.0
    return num / math.sqrt(sum(w * w for w in wa.values()) * sum(w * w for w in wb.values()))


def pair_features(finder, q: ComplaintFeatures, d: ComplaintFeatures, cache: dict | None = None) -> dict[str, float]:
    """Features of ``q`` against ``d`` (``cache`` keeps the query's own weights across candidates)."""
    cache = cache if cache is not None else {}
    if "w" not in cache:
        cache["w"] = finder._weights(q.terms.tolist())
        cache["pw"] = finder._place_weights(q.place.tolist())
        cache["info"] = sum(cache["w"].values())
    wq, pq = cache["w"], cache["pw"]
    wd = finder._weights(d.terms.tolist())
    if len(q.place) and len(d.place):
        place, missing = cosine(pq, finder._place_weights(d.place.tolist())), 0.0
        place_equal = float(np.array_equal(q.place, d.place))
    else:
        place, missing, place_equal = 0.0, 1.0, 0.0
    both_numbers = len(q.numbers) > 0 and len(d.numbers) > 0
    shared_numbers = both_numbers and np.intersect1d(q.numbers, d.numbers).size > 0
    qa, da = q.kelurahan or q.kecamatan, d.kelurahan or d.kecamatan
    same_area = float(bool(qa) and qa == da and bool(q.kelurahan) == bool(d.kelurahan))
    other_area = float(bool(q.kelurahan) and bool(d.kelurahan) and q.kelurahan != d.kelurahan)
    shared = [wq[t] for t in wd if t in wq]
    return {
        "text": cosine(wq, wd),
        "place": place,
        "place_missing": missing,
        "place_equal": place_equal,
        "number_conflict": float(both_numbers and not shared_numbers),
        "number_match": float(shared_numbers),
        "same_area": same_area,
        "other_area": other_area,
        "log_info": math.log1p(min(cache["info"], sum(wd.values()))),
        "max_shared_idf": max(shared, default=0.0) / 10.0,
        "problem_conflict": problems.conflict(q.problems, d.problems),
        "gap": min(abs(q.time - d.time) / (GAP_SCALE_DAYS * DAY), 2.0),
        "exact": float(bool(q.exact) and q.exact == d.exact),
    }
