"""Known units only (issue 16 item 7): decisions name a unit of the tenant's table; admins add, rename and merge
units; a rename carries its labels into the next retrain; a new unit is suggested from its description at once."""

from __future__ import annotations

import pytest

from service import units

FIRE = {"name": "Dinas Pemadam Kebakaran dan Penyelamatan", "aliases": ["Damkar"],
        "description": "Pemadam kebakaran (damkar): kebakaran rumah, kebakaran lahan, evakuasi sarang tawon dan "
                       "ular, penyelamatan warga."}
WASPS = "Ada sarang tawon besar di pohon depan rumah, mohon damkar segera evakuasi sarang tawon itu"


def decide(svc, c: dict, unit: str):
    return svc.post(f"/v1/complaints/{c['id']}/decision", {"action": "route", "opd": unit,
                                                           "expected_version": c["version"]})


@pytest.fixture
def pending(svc):
    def make(text="pak tolong itu yang kemarin belum juga"):
        c = svc.submit(text)
        assert c["status"] == "pending_review"
        return c
    return make


def test_a_decision_names_a_unit_of_the_tenant_table(svc, pending):
    listed = {u["name"] for u in svc.get("/v1/units").json()["items"]}
    assert "Dinas Sosial" in listed and len(listed) >= 20  # seeded from the tenant's units.csv
    r = decide(svc, pending(), "Dinas Ngawur")
    assert r.status_code == 422 and r.json()["code"] == "unknown_unit"
    assert "tidak dikenal" in r.json()["message"]


def test_admins_add_a_unit_that_is_suggested_from_its_description_at_once(svc, pending):
    assert svc.post("/v1/units", FIRE, role="operator").status_code == 403
    assert svc.post("/v1/units", {**FIRE, "description": " "}, role="admin").status_code == 422
    added = svc.post("/v1/units", FIRE, role="admin")
    assert added.status_code == 201, added.text
    assert svc.post("/v1/units", FIRE, role="admin").json()["code"] == "unit_exists"
    c = svc.submit(WASPS)
    t = c["triage"]
    assert FIRE["name"] in [s["opd"] for s in t["top_k"]] and not t["auto_route"]
    assert "unit baru Dinas Pemadam Kebakaran" in t["explanation"]
    calm = svc.submit("Air PDAM mati sudah tiga hari di Benteng, mohon segera diperbaiki")
    assert FIRE["name"] not in [s["opd"] for s in calm["triage"]["top_k"]]
    assert decide(svc, c, FIRE["name"]).status_code == 200


def test_rename_and_merge_move_decisions_and_training_labels_along(svc, pending):
    c = pending()
    r = svc.post("/v1/units/Dinas Sosial/rename", {"new_name": "Dinas Sosial dan Pemberdayaan"}, role="admin")
    assert r.status_code == 200, r.text
    assert "Dinas Sosial" in r.json()["aliases"]
    old = decide(svc, c, "Dinas Sosial")
    assert old.status_code == 422 and old.json()["code"] == "unknown_unit"
    assert decide(svc, c, "Dinas Sosial dan Pemberdayaan").status_code == 200
    again = svc.post("/v1/units/Dinas Sosial/rename", {"new_name": "Lain"}, role="admin")
    assert again.status_code == 409 and again.json()["code"] == "unit_replaced"
    merged = svc.post("/v1/units/Dinas Pariwisata/merge", {"into": "Dinas Koperasi UKM dan Perdagangan"},
                      role="admin")
    assert merged.status_code == 200, merged.text
    assert svc.post("/v1/units/Nope/merge", {"into": "Dinas Kesehatan"}, role="admin").status_code == 404
    assert units.label_map(svc.db) == {"Dinas Sosial": "Dinas Sosial dan Pemberdayaan",
                                       "Dinas Pariwisata": "Dinas Koperasi UKM dan Perdagangan"}
    names = {u["name"]: u["status"] for u in svc.get("/v1/units", params={"all": "true"}).json()["items"]}
    assert names["Dinas Sosial"] == "renamed" and names["Dinas Pariwisata"] == "merged"
    assert "Dinas Pariwisata" not in {u["name"] for u in svc.get("/v1/units").json()["items"]}
    from service.registry import get_row
    from service.retrain_job import Retrainer

    version = Retrainer(svc.db, svc.app.state.settings, inline=True).start("test")
    labels = get_row(svc.db, version).manifest["labels"]
    assert "Dinas Sosial dan Pemberdayaan" in labels and "Dinas Sosial" not in labels
    assert "Dinas Pariwisata" not in labels and "Dinas Koperasi UKM dan Perdagangan" in labels
