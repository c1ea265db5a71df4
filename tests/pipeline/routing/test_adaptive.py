"""The adaptive router: recent decisions reach the suggestions before the next retrain."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.routing.adaptive import AdaptiveRouter
from pipeline.routing.memory import DecisionMemory
from pipeline.routing.thresholds import RecentThresholds
from pipeline.triage.core import Triage, TriageItem

NEW_UNIT = "UPT Angkutan Sekolah"
DECIDED = pd.DataFrame({
    "text": ["bus sekolah gratis tidak datang menjemput anak kami pagi ini",
             "jadwal bus sekolah gratis berubah tanpa pemberitahuan, anak terlambat",
             "sopir bus sekolah gratis ugal-ugalan membawa murid",
             "bus sekolah gratis rute pulau tidak beroperasi seminggu"],
    "kelurahan": ["Benteng"] * 4, "kecamatan": ["Benteng"] * 4,
    "created_at": pd.date_range("2025-12-20", periods=4, freq="D").astype(str),
    "opd": [NEW_UNIT] * 4,
})
QUERY = pd.DataFrame({"text": ["bus sekolah gratis tidak menjemput murid di halte"], "kelurahan": ["Benteng"],
                      "kecamatan": ["Benteng"], "created_at": ["2025-12-26"]})


@pytest.fixture()
def adaptive(demo_router, demo_complaints):
    return AdaptiveRouter(demo_router, prefit=True, memory=DecisionMemory(), thresholds=RecentThresholds()).fit(
        demo_complaints, demo_complaints["opd"])


def test_a_unit_seen_only_in_recent_decisions_is_suggested_before_the_retrain(adaptive):
    before = adaptive.route(QUERY)[0]
    assert NEW_UNIT not in [s.opd for s in before.top_k]
    adaptive.observe(DECIDED, DECIDED["opd"])
    after = adaptive.route(QUERY)[0]
    assert after.opd == NEW_UNIT and "didisposisikan" in after.explanation
    assert NEW_UNIT in adaptive.labels_


def test_without_memory_the_new_unit_stays_unknown(demo_router, demo_complaints):
    plain = AdaptiveRouter(demo_router, prefit=True).fit(demo_complaints, demo_complaints["opd"])
    plain.observe(DECIDED, DECIDED["opd"])
    assert plain.route(QUERY)[0].opd != NEW_UNIT


def test_observed_suggestions_re_estimate_the_thresholds(adaptive):
    routings = adaptive.route(DECIDED, explain=False)
    count = len(adaptive.thresholds_.confidence_)
    adaptive.observe(DECIDED, DECIDED["opd"], routings)
    assert len(adaptive.thresholds_.confidence_) == count + len(DECIDED)


def test_the_triage_core_runs_the_adaptive_router_unchanged(adaptive):
    adaptive.observe(DECIDED, DECIDED["opd"])
    result = Triage(router=adaptive).run([TriageItem(QUERY["text"][0], "Benteng", "Benteng")])[0]
    assert result.routing.opd == NEW_UNIT


def test_an_empty_memory_routes_as_the_model_and_then_learns(demo_router):
    empty = pd.DataFrame(columns=["text", "opd", "kelurahan", "kecamatan", "created_at"])
    adaptive = AdaptiveRouter(demo_router, prefit=True, memory=DecisionMemory()).fit(empty, empty["opd"])
    assert adaptive.route(QUERY)[0].opd == demo_router.route(QUERY)[0].opd
    adaptive.observe(DECIDED, DECIDED["opd"])
    assert adaptive.route(QUERY)[0].opd == NEW_UNIT
