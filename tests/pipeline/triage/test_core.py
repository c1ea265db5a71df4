"""The triage core: one pass, one document per complaint, whichever components are present."""

from __future__ import annotations

import json

import pytest

import pipeline.document as document_module
from fixtures.fakes import WordScreener
from pipeline.dedup import DuplicateFinder
from pipeline.model import TriageModel
from pipeline.routing.result import Routing
from pipeline.screening.result import ScreeningResult
from pipeline.triage import DuplicateIndex, Triage, TriageItem
from pipeline.triage.records import batch_record

ITEMS = [
    TriageItem("Lampu jalan di depan masjid mati sudah seminggu, hub 081234567890", "Benteng", "Benteng",
               submitted_at="2026-01-02 08:00:00", id="a"),
    TriageItem("Petugas loket itu bodoh sekali, KTP saya tidak selesai", submitted_at="2026-01-03 08:00:00", id="b"),
    TriageItem("lampu jalan di depan masjid mati sudah seminggu!! hub 0812-3456-7890", "Benteng", "Benteng",
               submitted_at="2026-01-04 08:00:00", id="c"),
]


@pytest.fixture(scope="module")
def model(demo_model) -> TriageModel:
    return TriageModel.load(demo_model)


def test_every_component_reads_one_document_per_complaint(model, monkeypatch):
    calls = []
    real = document_module.clean_text_mapped
    monkeypatch.setattr(document_module, "clean_text_mapped", lambda t: calls.append(t) or real(t))
    triage = Triage(router=model.router, screener=WordScreener({"bodoh": "abusive"}, "kata kasar"),
                    duplicates=DuplicateFinder(), model_version=model.version)
    results = triage.run(ITEMS, remember=True)
    assert sorted(calls) == sorted(i.text for i in ITEMS)
    assert all(isinstance(r.routing, Routing) and isinstance(r.screening, ScreeningResult) for r in results)
    assert [r.flagged for r in results] == [False, True, False]
    assert [m.id for m in results[2].duplicates][:1] == ["a"] and results[2].is_duplicate
    assert results[0].duplicates == [] and results[0].document.cleaned.endswith("[TELEPON]")


def test_results_equal_the_routers_own_and_spans_point_at_the_terms(model):
    import pandas as pd

    results = Triage(router=model.router, model_version=model.version).run(ITEMS)
    direct = model.router.route(pd.DataFrame({"text": [i.text for i in ITEMS], "kelurahan": [i.kelurahan for i in ITEMS],
                                              "kecamatan": [i.kecamatan for i in ITEMS]}))
    assert [(r.routing.opd, r.routing.confidence, r.routing.auto_route, r.routing.terms) for r in results] == \
        [(d.opd, d.confidence, d.auto_route, d.terms) for d in direct]
    first = results[0]
    assert first.term_spans, "the lamp complaint is explained by words of its own text"
    terms = {t for t, _ in first.routing.terms}
    for s in first.term_spans:
        assert s.label in terms and first.document.cleaned[s.start:s.end].strip()


def test_without_a_component_its_columns_are_absent(model):
    only_screen = Triage(screener=WordScreener({"bodoh": "abusive"}, "kata kasar")).run(ITEMS[1:2])[0]
    assert only_screen.routing is None and only_screen.duplicates is None
    record = batch_record(only_screen)
    assert list(record) == ["flagged", "categories", "evidence", "reason"]
    evidence = json.loads(record["evidence"])
    assert [ITEMS[1].text[e["start"]:e["end"]] for e in evidence] == ["bodoh"]
    full = batch_record(Triage(router=model.router, duplicates=DuplicateFinder(), model_version="v1").run(ITEMS[:1])[0])
    assert list(full) == ["opd", "confidence", "top_k", "opd_2", "p_2", "opd_3", "p_3", "auto_route",
                          "out_of_tenant", "explanation", "model_version", "warning", "duplicate_of", "is_duplicate"]
    assert full["model_version"] == "v1" and full["duplicate_of"] == "[]" and full["is_duplicate"] is False


def test_remember_makes_stored_complaints_findable():
    triage = Triage(duplicates=DuplicateFinder())
    assert triage.run(ITEMS[2:])[0].duplicates == []
    triage.remember(["17"], ITEMS[:1])
    found = triage.run(ITEMS[2:])[0]
    assert [m.id for m in found.duplicates] == ["17"] and found.is_duplicate


def test_both_indexes_meet_the_protocol():
    from service.duplicates import DatabaseDuplicateIndex

    assert isinstance(DuplicateFinder(), DuplicateIndex)
    assert isinstance(DatabaseDuplicateIndex(DuplicateFinder()), DuplicateIndex)


def test_items_of_one_run_find_each_other_as_near_duplicates():
    near = TriageItem("Lampu jalan depan masjid Benteng mati sdh seminggu, malam gelap sekali mohon diperbaiki",
                      "Benteng", "Benteng", submitted_at="2026-01-05 08:00:00", id="")
    first = TriageItem("Lampu jalan di depan masjid Benteng mati sudah seminggu, malam hari gelap, mohon perbaikan",
                       "Benteng", "Benteng", submitted_at="2026-01-04 08:00:00", id="")
    elsewhere = TriageItem("Lampu jalan di depan masjid mati", "Onto", "Onto", submitted_at="2026-01-06 08:00:00")
    triage = Triage(duplicates=DuplicateFinder())
    results = triage.run([first, ITEMS[1], near, elsewhere])
    assert results[0].batch_duplicates == [] and results[1].batch_duplicates == []
    (pos, score), *_ = results[2].batch_duplicates
    assert pos == 0 and score >= triage.duplicates.threshold and results[2].is_duplicate
    assert not results[3].is_duplicate  # another kelurahan, short text: shown at most, never flagged
    # remembering runs need no batch matches: the index itself holds the earlier items
    assert all(r.batch_duplicates == [] for r in Triage(duplicates=DuplicateFinder()).run(
        [first, near], remember=True))
