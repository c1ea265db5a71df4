"""The router: suggestions, calibrated confidence, abstaining, explanations."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

from pipeline.model import TriageModel
from pipeline.routing.calibration import choose_threshold, choose_unit_thresholds, softmax
from pipeline.routing.router import OpdRouter


def test_threshold_is_the_lowest_confidence_that_keeps_target_precision():
    conf = np.array([0.99, 0.98, 0.97, 0.90, 0.80, 0.70])
    correct = np.array([1, 1, 1, 1, 0, 1], dtype=bool)
    assert choose_threshold(conf, correct, target=0.95, min_support=1) == 0.90
    assert choose_threshold(conf, correct, target=0.80, min_support=1) == 0.70
    assert choose_threshold(conf, correct, target=0.95, min_support=5) is None  # abstain: never auto-route


def test_softmax_rows_sum_to_one_and_preserve_order():
    p = softmax(np.array([[2.0, 1.0, -1.0]]), 0.5)
    assert p.sum() == pytest.approx(1.0) and list(np.argsort(-p[0])) == [0, 1, 2]


@pytest.fixture(scope="module")
def model(demo_model):
    return TriageModel.load(demo_model)


def test_routes_clear_complaints_to_the_right_unit(model):
    df = pd.DataFrame(
        {
            "text": [
                "KTP elektronik saya hilang, bagaimana cara mengurus KTP-el pengganti di Disdukcapil?",
                "Air PDAM tidak mengalir sudah tiga hari di rumah kami, mohon segera diperbaiki",
                "jalan poros desa rusak parah berlubang besar, tolong diaspal",
            ],
            "kelurahan": ["Benteng", "Benteng Utara", "Bontobangun"],
            "kecamatan": ["Benteng", "Benteng", "Bontoharu"],
        }
    )
    opds = [r.opd for r in model.route(df)]
    assert opds[0] == "Dinas Kependudukan dan Pencatatan Sipil"
    assert opds[1] == "Perumda Air Minum Kepulauan Selayar"
    assert opds[2] == "Dinas Pekerjaan Umum dan Penataan Ruang"


def test_top_k_is_sorted_has_at_least_three_units_and_carries_probabilities(model):
    r = model.route(pd.DataFrame({"text": ["sampah menumpuk di pinggir pantai, bau sekali"]}))[0]
    ps = [s.p for s in r.top_k]
    assert len(r.top_k) >= 3 and ps == sorted(ps, reverse=True)
    assert all(0 <= p <= 1 for p in ps) and sum(ps) <= 1.0 + 1e-6
    assert r.confidence == r.top_k[0].p and r.opd == r.top_k[0].opd


def test_abstains_on_text_unlike_any_unit(model):
    r = model.route(pd.DataFrame({"text": ["halo selamat pagi"]}))[0]
    assert r.auto_route is False


def test_auto_route_exactly_when_confidence_clears_the_manifest_threshold(model):
    import copy

    router = copy.deepcopy(model.router)
    assert model.manifest["threshold"] == router.threshold_
    assert model.manifest["unit_thresholds"] == router.class_thresholds_
    df = pd.DataFrame({"text": ["Lampu jalan di depan masjid mati sudah seminggu, jalan gelap"]})
    r = router.route(df)[0]
    c, unit = r.confidence, router.areas_.to_class(r.opd)
    cases = [  # (global threshold, unit thresholds, expected auto_route)
        (c, {}, True),  # exactly at the threshold counts
        (min(1.0, c + 1e-3), {}, False),
        (min(1.0, c + 1e-3), {unit: c - 1e-3}, True),  # the unit earned a lower threshold
        (c - 1e-3, {unit: min(1.0, c + 1e-3)}, False),  # … or a stricter one
        (min(1.0, c + 1e-3), {"another unit": 0.0}, False),
        (None, {}, False),  # no threshold reached the target: never auto-route
    ]
    for threshold, per_unit, expected in cases:
        router.threshold_, router.class_thresholds_ = threshold, per_unit
        assert router.route(df)[0].auto_route is expected, (threshold, per_unit)


def test_a_unit_gets_its_own_lower_threshold_only_when_it_earns_it():
    # unit A: right 25/25 at 0.6+; unit B: right 18/25 (0.72) at any confidence; unit C: too few suggestions
    conf = np.array([0.6 + i * 0.01 for i in range(25)] * 2 + [0.7] * 5)
    predicted = np.array(["A"] * 25 + ["B"] * 25 + ["C"] * 5, dtype=object)
    correct = np.array([True] * 25 + [True] * 18 + [False] * 7 + [True] * 5)
    got = choose_unit_thresholds(conf, correct, predicted, target=0.95, min_support=20, global_threshold=0.99)
    assert got == {"A": 0.6}
    assert choose_unit_thresholds(conf, correct, predicted, 0.95, 20, global_threshold=0.5) == {}
    assert choose_unit_thresholds(conf, correct, predicted, 0.95, 0, global_threshold=0.99) == {}


def test_area_office_kind_resolves_to_the_complaints_own_kelurahan(model):
    df = pd.DataFrame(
        {
            "text": ["Mohon dibuatkan surat keterangan domisili untuk melamar kerja, di kantor lurah belum dilayani"],
            "kelurahan": ["Benteng Selatan"],
            "kecamatan": ["Benteng"],
        }
    )
    r = model.route(df)[0]
    offices = [s.opd for s in r.top_k]
    assert "Kelurahan Benteng Selatan" in offices[:3]
    # same complaint from another place goes to that place's office
    df["kelurahan"] = ["Parak"]
    df["kecamatan"] = ["Bontomanai"]
    assert "Kelurahan Parak" in [s.opd for s in model.route(df)[0].top_k[:3]]


def test_explanation_names_the_words_that_pushed_the_decision(model):
    r = model.route(pd.DataFrame({"text": ["Tolong pak, KTP dan KK saya belum jadi di Disdukcapil"]}))[0]
    words = [t for t, _ in r.terms]
    assert words and all(w > 0 for _, w in r.terms)
    assert any(t in {"ktp", "kk", "disdukcapil"} or "ktp" in t for t in words)
    assert r.explanation.startswith("kata kunci:")


def test_predictions_carry_the_model_version_and_round_trip_through_pickle(model):
    records = model.predict_records(pd.DataFrame({"text": ["lampu jalan mati di depan masjid"]}))
    assert records[0]["model_version"] == model.version
    assert json.loads(records[0]["top_k"])[0]["opd"] == records[0]["opd"]
    clone = pickle.loads(pickle.dumps(model.router))
    again = clone.route(pd.DataFrame({"text": ["lampu jalan mati di depan masjid"]}))[0]
    assert again.opd == records[0]["opd"] and again.confidence == pytest.approx(records[0]["confidence"], abs=1e-4)


def test_manifest_holds_time_based_validation_and_threshold(model):
    m = model.manifest
    v = m["validation"]
    assert v["split"] == "time" and v["n_validation"] > 0
    assert v["validation_from"] >= m["training_data"]["time_range"][0]
    assert m["threshold"] == v["threshold"] and m["target_precision"] == 0.95
    assert m["unit_thresholds"] == v["unit_thresholds"]
    assert all(m["threshold"] is None or t < m["threshold"] for t in m["unit_thresholds"].values())
    assert set(m["labels"]) >= {"Dinas Sosial", "Dinas Kesehatan"}


def test_unknown_label_at_fit_time_of_one_example_is_kept():
    texts = ["jalan rusak"] * 15 + ["sampah menumpuk"] * 15 + ["izin keramaian konser musik"]
    labels = ["PUPR"] * 15 + ["DLH"] * 15 + ["Polres"]
    router = OpdRouter(min_df=1, validation_fraction=0).fit(pd.DataFrame({"text": texts}), labels)
    assert "Polres" in router.labels_
    assert router.threshold_ is None  # no validation data: never auto-route
    assert not router.route(pd.DataFrame({"text": ["jalan rusak"]}))[0].auto_route


def test_two_unit_problem_works():
    texts = ["jalan rusak berlubang"] * 20 + ["sampah menumpuk bau"] * 20
    labels = ["PUPR"] * 20 + ["DLH"] * 20
    router = OpdRouter(min_df=1, validation_fraction=0).fit(pd.DataFrame({"text": texts}), labels)
    r = router.route(pd.DataFrame({"text": ["sampah bau"]}))[0]
    assert r.opd == "DLH"
    assert {t for t, _ in r.terms} <= {"sampah", "bau", "sampah bau"} and r.terms


def test_a_unit_known_only_from_the_tenant_unit_table_is_reachable(tmp_path, demo_dir):
    from pipeline.routing.training import train_router
    from pipeline.columns import InputColumns

    df = pd.read_csv(demo_dir / "complaints.csv", dtype=str, keep_default_na=False)
    df = df[df.opd != "Dinas Pariwisata"]
    df.to_csv(tmp_path / "no_tourism.csv", index=False)
    train_router(tmp_path / "no_tourism.csv", tmp_path / "m", InputColumns(label="opd"), units=demo_dir / "units.csv")
    model = TriageModel.load(tmp_path / "m")
    assert "Dinas Pariwisata" in model.router.labels_
    r = model.route(pd.DataFrame({"text": ["Destinasi wisata dan objek wisata bahari di pulau kurang promosi, "
                                           "homestay dan pemandu wisata perlu pembinaan dari Dinas Pariwisata"]}))[0]
    assert "Dinas Pariwisata" in [s.opd for s in r.top_k[:3]]


def test_a_unit_that_only_appears_late_does_not_break_the_time_folds():
    texts = ["jalan rusak berlubang"] * 40 + ["sampah menumpuk bau"] * 15
    labels = ["PUPR"] * 40 + ["DLH"] * 15
    times = [f"2024-01-{i % 28 + 1:02d}" for i in range(40)] + [f"2024-03-{i + 1:02d}" for i in range(15)]
    router = OpdRouter(min_df=1).fit(pd.DataFrame({"text": texts, "created_at": times}), labels)
    assert router.validation_ is None and router.threshold_ is None  # nothing to validate against: never auto-route
    assert router.route(pd.DataFrame({"text": ["sampah bau"]}))[0].opd == "DLH"
