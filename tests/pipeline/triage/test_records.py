"""Batch records: the JSON ``top_k`` column is exactly what ``json.dumps`` writes."""

from __future__ import annotations

import json
import random

import numpy as np

from pipeline.routing.result import Suggestion
from pipeline.triage.records import top_k_json


def test_top_k_json_is_json_dumps_text():
    rnd = random.Random(0)
    names = ['Dinas "PU"', "Dispendukcapil", "Kecamatan Tegalsari", "BPBD\\x", "Ünit ñ", "DLH\n", "Satpol PP"]
    values = [0.5, 1.0, 0.0, 1, 1e-7, 0.99995, float("nan"), np.float64(0.123456), -0.0, 0.03125, 0.00005,
              0.00015, 0.00004999, 0.12345, 2.5, -0.3, 1e-5, 0.0001, 0.00949999, float("inf")]
    values += [k / 10_000 + 0.00005 for k in range(0, 10_000, 7)]  # ties and near-ties at 4 places
    for _ in range(6000):
        top = [Suggestion(rnd.choice(names), rnd.choice(values + [rnd.random()])) for _ in range(rnd.randint(0, 5))]
        assert top_k_json(top) == json.dumps([{"opd": s.opd, "p": round(s.p, 4)} for s in top], ensure_ascii=False)
