"""Area office or Dinas, learned from decisions per topic and area."""

from __future__ import annotations

import pandas as pd

from pipeline.routing.adaptive import AdaptiveRouter
from pipeline.routing.area_prior import AreaKindPrior

LIGHTS = "Lampu jalan di depan rumah mati sudah dua minggu, gelap sekali, mohon diperbaiki."


def decided(demo_complaints) -> pd.DataFrame:
    local = pd.DataFrame({"text": [f"{LIGHTS} RT 0{i}" for i in range(1, 7)], "kelurahan": ["Bontobangun"] * 6,
                          "kecamatan": ["Bontoharu"] * 6, "created_at": ["2025-11-01"] * 6,
                          "opd": ["Kelurahan Bontobangun"] * 6})
    return pd.concat([demo_complaints, local], ignore_index=True)


def route(router, data, steps, kelurahan, kecamatan):
    adaptive = AdaptiveRouter(router, prefit=True, area_steps=steps).fit(data, data["opd"])
    return adaptive.route(pd.DataFrame({"text": [LIGHTS], "kelurahan": [kelurahan], "kecamatan": [kecamatan]}))[0]


def test_an_area_whose_decisions_go_to_its_office_gets_the_office(demo_router, demo_complaints):
    data = decided(demo_complaints)
    plain = route(demo_router, data, [], "Bontobangun", "Bontoharu")
    assert demo_router.areas_.kind_of(plain.opd) is None
    learned = route(demo_router, data, [AreaKindPrior(strength=2, min_count=3)], "Bontobangun", "Bontoharu")
    assert learned.opd == "Kelurahan Bontobangun"
    assert "biasanya ditangani kantor kelurahan (6 dari" in learned.explanation


def test_other_areas_keep_the_dinas(demo_router, demo_complaints):
    elsewhere = route(demo_router, decided(demo_complaints), [AreaKindPrior(strength=2, min_count=3)], "Benteng Utara", "Benteng")
    assert demo_router.areas_.kind_of(elsewhere.opd) is None and "biasanya" not in elsewhere.explanation
