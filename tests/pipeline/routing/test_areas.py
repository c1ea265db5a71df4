"""Area offices: the kind is learned, the office comes from the complaint's area."""

from __future__ import annotations

import pickle

from pipeline.routing.areas import AreaOffices, kind_class

LABELS = ["Kelurahan Ploso", "Kelurahan Wonorejo - Rungkut", "Kecamatan Pabean Cantian", "Dinas Sosial", "Kelurahan Ploso"]
KEL = ["Ploso", "Wonorejo Rungkut", "Bongkaran", "Gubeng", "ploso"]
KEC = ["Tambaksari", "Rungkut", "Pabean Cantikan", "Gubeng", "Tambaksari"]
GAZ = [("Tambaksari", "Ploso"), ("Tambaksari", "Dukuh Setro"), ("Rungkut", "Wonorejo Rungkut"),
       ("Pabean Cantikan", "Bongkaran"), ("Gubeng", "Airlangga")]


def fitted() -> AreaOffices:
    return AreaOffices(gazetteer=GAZ).fit(LABELS, KEL, KEC)


def test_labels_map_to_kinds_and_sector_units_stay():
    areas = fitted()
    assert areas.to_class("Kelurahan Ploso") == kind_class("kelurahan")
    assert areas.to_class("Kecamatan Gubeng") == kind_class("kecamatan")
    assert areas.to_class("Dinas Sosial") == "Dinas Sosial"


def test_office_resolves_from_the_area_field_despite_spelling():
    areas = fitted()
    assert areas.resolve("kelurahan", "Wonorejo Rungkut", "Rungkut").office == "Kelurahan Wonorejo - Rungkut"
    assert areas.resolve("kelurahan", "PLOSO", "").office == "Kelurahan Ploso"
    # the export spells the kecamatan "Pabean Cantikan", the office is "Kecamatan Pabean Cantian"
    assert areas.resolve("kecamatan", "", "Pabean Cantikan").office == "Kecamatan Pabean Cantian"


def test_an_office_never_seen_in_training_is_still_reachable():
    res = fitted().resolve("kelurahan", "dukuh setro", "Tambaksari")
    assert res.office == "Kelurahan Dukuh Setro"  # canonical spelling from the gazetteer
    assert fitted().resolve("kecamatan", "", "Sukolilo").office == "Kecamatan Sukolilo"


def test_kecamatan_follows_from_the_kelurahan_when_missing():
    res = fitted().resolve("kecamatan", "Bongkaran", "")
    assert res.office == "Kecamatan Pabean Cantian" and res.source == "field:kelurahan"


def test_area_named_in_text_when_fields_are_empty():
    areas = fitted()
    res = areas.resolve("kelurahan", "", "", "Mohon surat pengantar dari Kel. Dukuh Setro segera diproses")
    assert res.office == "Kelurahan Dukuh Setro" and res.source == "text"
    assert areas.resolve("kelurahan", "", "", "jalan rusak di depan pasar") is None


def test_pickles_without_spacy_objects():
    areas = fitted()
    areas.find_area("kelurahan", "warga kelurahan ploso")  # builds the matcher
    restored = pickle.loads(pickle.dumps(areas))
    assert restored.resolve("kelurahan", "", "", "warga kelurahan ploso").office == "Kelurahan Ploso"
