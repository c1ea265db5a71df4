"""Conflict of interest: a complaint accusing the suggested unit (or its head/staff) is never auto-routed."""

from __future__ import annotations

import pytest

from fixtures.fakes import WordScreener
from pipeline.routing.result import Routing, Suggestion
from pipeline.triage import Triage, TriageItem
from pipeline.triage.conflict import accuses_unit, supervising_unit

UNITS = ["Kecamatan Wonocolo", "Kelurahan Jemur Wonosari", "Dinas Perhubungan", "Dinas Sosial", "Inspektorat Daerah"]


class FixedRouter:
    """Suggests the same units for every complaint, confidently enough to auto-route."""

    def __init__(self, opd: str, others=("Dinas Sosial", "Dinas Perhubungan")):
        self.opd, self.others, self.classes_ = opd, list(others), list(UNITS)

    def route(self, frame, explain=True, documents=None):
        return [Routing(self.opd, 0.97, [Suggestion(self.opd, 0.97)] + [Suggestion(o, 0.01) for o in self.others],
                        True, [("pungli", 1.0)]) for _ in range(len(frame))]


def run(text: str, opd: str, accused: str, **kwargs):
    triage = Triage(router=FixedRouter(opd), screener=WordScreener({accused: "defamation_risk"}, "tuduhan"), **kwargs)
    return triage.run([TriageItem(text)])[0].routing


@pytest.mark.parametrize("text,accused,opd", [
    ("Camat Wonocolo minta uang pelicin untuk surat pindah", "Camat Wonocolo", "Kecamatan Wonocolo"),
    ("pak camat terima pungli tiap urus KTP", "pak camat", "Kecamatan Wonocolo"),
    ("Lurah Jemur Wonosari menggelapkan bantuan warga", "Lurah Jemur Wonosari", "Kelurahan Jemur Wonosari"),
    ("Kepala Dinas Perhubungan kongkalikong dengan jukir", "Kepala Dinas Perhubungan", "Dinas Perhubungan"),
    ("petugas Dinas Perhubungan minta setoran parkir", "petugas Dinas Perhubungan", "Dinas Perhubungan"),
])
def test_accusing_the_suggested_unit_is_never_auto_routed(text, accused, opd):
    routing = run(text, opd, accused)
    assert routing.auto_route is False
    assert f"Terlapor adalah pimpinan/pegawai unit yang disarankan ({opd})" in routing.explanation
    assert "pertimbangkan Inspektorat Daerah" in routing.explanation
    assert "Inspektorat Daerah" in [s.opd for s in routing.top_k]
    assert routing.opd == opd and len(routing.top_k) == 3  # the suggestion stays, k stays


@pytest.mark.parametrize("text,accused,opd", [
    ("Camat Rungkut minta uang pelicin", "Camat Rungkut", "Kecamatan Wonocolo"),  # another kecamatan's head
    ("pak camat terima pungli", "pak camat", "Dinas Perhubungan"),  # not the suggested unit
    ("petugas Dinas Sosial minta setoran", "petugas Dinas Sosial", "Dinas Perhubungan"),
])
def test_accusing_another_unit_changes_nothing(text, accused, opd):
    routing = run(text, opd, accused)
    assert routing.auto_route is True and "Terlapor" not in routing.explanation
    assert "Inspektorat Daerah" not in [s.opd for s in routing.top_k]


def test_only_an_accusation_counts():
    triage = Triage(router=FixedRouter("Kecamatan Wonocolo"), screener=WordScreener({"Camat Wonocolo": "abusive"}, "x"))
    routing = triage.run([TriageItem("Camat Wonocolo bodoh")])[0].routing
    assert routing.auto_route is True and "Terlapor" not in routing.explanation


def test_without_a_supervising_unit_the_note_names_none():
    routing = run("Camat Wonocolo minta uang pelicin", "Kecamatan Wonocolo", "Camat Wonocolo",
                  units=["Kecamatan Wonocolo", "Dinas Sosial"])
    assert routing.auto_route is False and "Terlapor" in routing.explanation
    assert "pertimbangkan" not in routing.explanation
    assert [s.opd for s in routing.top_k] == ["Kecamatan Wonocolo", "Dinas Sosial", "Dinas Perhubungan"]


def test_the_tenant_can_name_its_supervising_unit():
    assert supervising_unit(UNITS + ["Inspektorat Kota"], "Inspektorat Kota") == "Inspektorat Kota"
    assert supervising_unit(UNITS) == "Inspektorat Daerah"
    assert supervising_unit(["Dinas Sosial"]) is None
    routing = run("Camat Wonocolo minta uang pelicin", "Kecamatan Wonocolo", "Camat Wonocolo",
                  supervisor="Dinas Sosial")
    assert "pertimbangkan Dinas Sosial" in routing.explanation


def test_no_screening_no_conflict():
    assert not accuses_unit("Kecamatan Wonocolo", None)
    assert Triage(router=FixedRouter("Kecamatan Wonocolo")).run([TriageItem("Camat Wonocolo")])[0].routing.auto_route
