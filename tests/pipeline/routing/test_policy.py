"""The tenant's handling policy: a rule overrides the model for its topic and area, and says so."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import DataError
from pipeline.routing.adaptive import AdaptiveRouter
from pipeline.routing.policy import HandlingPolicy, load_policy

LIGHTS = "Lampu jalan (PJU) di depan rumah kami mati sudah dua minggu, gelap sekali. Mohon diperbaiki."
RULE = {"keywords": "lampu jalan|pju", "kelurahan": "Bontobangun", "route_to": "kelurahan",
        "reason": "PJU lingkungan di Bontobangun ditangani kelurahan"}


def route(router, rules, kelurahan, kecamatan="Bontoharu"):
    adaptive = AdaptiveRouter(router, prefit=True, area_steps=[HandlingPolicy(rules)])
    adaptive.fit(pd.DataFrame({"text": ["x"]}), ["x"])
    frame = pd.DataFrame({"text": [LIGHTS], "kelurahan": [kelurahan], "kecamatan": [kecamatan]})
    return adaptive.route(frame)[0]


def test_a_rule_sends_its_topic_in_its_kelurahan_to_the_kelurahan_office(demo_router):
    plain = route(demo_router, [], "Bontobangun")
    assert demo_router.areas_.kind_of(plain.opd) is None  # the model alone: a Dinas
    ruled = route(demo_router, [RULE], "Bontobangun")
    assert ruled.opd.endswith("Bontobangun") and demo_router.areas_.kind_of(ruled.opd) == "kelurahan"
    assert ruled.confidence == pytest.approx(plain.confidence)
    assert "kebijakan penanganan: PJU lingkungan di Bontobangun ditangani kelurahan" in ruled.explanation
    assert plain.opd in [s.opd for s in ruled.top_k]  # the Dinas stays an alternative


def test_the_rule_does_not_reach_other_areas_or_topics(demo_router):
    elsewhere = route(demo_router, [RULE], "Benteng Utara", "Benteng")
    assert demo_router.areas_.kind_of(elsewhere.opd) is None and "kebijakan" not in elsewhere.explanation
    other_topic = route(demo_router, [{**RULE, "keywords": "sampah"}], "Bontobangun")
    assert "kebijakan" not in other_topic.explanation


def test_the_most_specific_rule_wins(demo_router):
    broad = {"keywords": "lampu jalan", "route_to": "kecamatan"}
    ruled = route(demo_router, [broad, RULE], "Bontobangun")
    assert demo_router.areas_.kind_of(ruled.opd) == "kelurahan"


def test_policy_file_errors_name_the_row(tmp_path):
    path = tmp_path / "handling_policy.csv"
    path.write_text("keywords,unit,kecamatan,kelurahan,route_to,reason\nlampu,,,,,\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 2.*route_to"):
        load_policy(path)
    path.write_text("keywords,unit,kecamatan,kelurahan,route_to,reason\n,,,,kelurahan,\n", encoding="utf-8")
    with pytest.raises(DataError, match="needs keywords"):
        load_policy(path)
    assert load_policy(tmp_path / "missing.csv") == []
