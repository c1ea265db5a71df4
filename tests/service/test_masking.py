"""Roles that see only masked text (analysts) get every free text masked — address, area names, decision
notes, the status note, OPD answers, screening evidence — in the API and the console; so does export-feedback."""

from __future__ import annotations

import argparse
import re

import pandas as pd

from service.masking import masked, masked_flags

PHONE, EMAIL, NIK = "081234567890", "warga.benteng@example.com", "7301012345670001"
ROAD = "Jalan rusak parah di desa Onto, lubang besar membahayakan pengendara. Mohon segera diperbaiki."
SECRETS = (PHONE, EMAIL, NIK)


def _decided(svc) -> int:
    c = svc.submit(ROAD, address=f"Jl. Melati 5 (hp {PHONE}, NIK {NIK})", kecamatan="Benteng",
                   kelurahan="Onto")
    r = svc.post(f"/v1/complaints/{c['id']}/decision", {
        "action": "route", "opd": "Dinas Pekerjaan Umum dan Penataan Ruang", "expected_version": c["version"],
        "note": f"pelapor minta dihubungi di {PHONE}"})
    assert r.status_code == 200, r.text
    r = svc.post(f"/v1/complaints/{c['id']}/response", {"text": f"Sudah diperbaiki; info: {EMAIL} / {PHONE}"})
    assert r.status_code == 201, r.text
    return c["id"]


def test_analysts_get_every_free_text_masked_operators_the_original(svc):
    cid = _decided(svc)
    for path in (f"/v1/complaints/{cid}", "/v1/complaints"):
        seen = svc.get(path, role="analyst")
        assert seen.status_code == 200
        assert not [s for s in SECRETS if s in seen.text], seen.text
        assert "[TELEPON]" in seen.text and "[NIK]" in seen.text
        assert {PHONE, NIK} <= {s for s in SECRETS if s in svc.get(path).text}  # operators: what was sent
    detail = svc.get(f"/v1/complaints/{cid}", role="analyst").json()
    assert detail["address"] == "Jl. Melati 5 (hp [TELEPON], NIK [NIK])" and detail["kelurahan"] == "Onto"
    assert detail["decisions"][0]["note"] == "pelapor minta dihubungi di [TELEPON]"
    assert detail["responses"][0]["text"] == "Sudah diperbaiki; info: [EMAIL] / [TELEPON]"
    assert detail["text"] is None and detail["kecamatan"] == "Benteng"


def test_the_console_shows_analysts_masked_text_only(svc):
    cid = _decided(svc)
    c = svc.client
    page = c.get("/masuk")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert c.post("/masuk", data={"kunci": svc.keys["analyst"], "csrf": csrf}, follow_redirects=False).status_code == 303
    html = c.get(f"/pengaduan/{cid}").text
    assert "Jl. Melati 5" in html and "Sudah diperbaiki" in html and "dihubungi di" in html
    assert not [s for s in SECRETS if s in html]


def test_screening_evidence_quoted_from_the_original_is_masked():
    flags = {"flagged": True, "categories": ["abusive"], "reason": "kata kasar",
             "evidence": [{"category": "abusive", "start": 0, "end": 30, "text": f"bodoh, telp {PHONE}"},
                          f"surel {EMAIL}", 7]}
    out = masked_flags(flags)
    assert out["evidence"][0] == {**flags["evidence"][0], "text": "bodoh, telp [TELEPON]"}
    assert out["evidence"][1:] == ["surel [EMAIL]", 7] and flags["evidence"][0]["text"].endswith(PHONE)
    assert masked(None) is None and masked("") == "" and masked_flags(None) is None


def test_export_feedback_masks_addresses_and_is_spreadsheet_safe(svc, tmp_path, monkeypatch):
    from service.cli import export_feedback

    cid = _decided(svc)
    c = svc.submit("=HYPERLINK(\"http://x\") jalan rusak di Onto", address="@SUM(A1) Jl. Kenanga")
    svc.post(f"/v1/complaints/{c['id']}/decision", {"action": "route", "opd": "Dinas Sosial",
                                                    "expected_version": c["version"]})
    monkeypatch.setenv("LAPOR_DATABASE_URL", svc.url)
    out = tmp_path / "feedback.csv"
    assert export_feedback(argparse.Namespace(out=str(out), include_auto=False)) == 0
    raw = out.read_text(encoding="utf-8")
    assert not [s for s in SECRETS if s in raw], raw
    df = pd.read_csv(out, keep_default_na=False).set_index("id")
    assert df.loc[f"lapor-{cid}", "address"] == "Jl. Melati 5 (hp [TELEPON], NIK [NIK])"
    assert df.loc[f"lapor-{c['id']}", "text"].startswith("'=HYPERLINK")
    assert df.loc[f"lapor-{c['id']}", "address"] == "'@SUM(A1) Jl. Kenanga"


LIGHT_OFFICE = "Lampu jalan di lorong kami mati, mohon ditangani kantor kelurahan. Urus surat pengantar RT juga lambat."


def test_analysts_get_external_ids_unit_names_and_area_offices_masked(svc):
    typed = f"Benteng {PHONE}"  # a kelurahan typed with a phone number: an area office is named after it
    r = svc.client.post("/v1/complaints", headers=svc.auth("operator"), json={
        "text": LIGHT_OFFICE, "kelurahan": typed, "kecamatan": "Benteng", "external_id": f"wa-{PHONE}",
        "channel": "whatsapp"})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    operator = svc.get(f"/v1/complaints/{cid}").json()
    assert operator["external_id"] == f"wa-{PHONE}"
    seen = svc.get(f"/v1/complaints/{cid}", role="analyst")
    assert PHONE not in seen.text, seen.text
    body = seen.json()
    assert body["external_id"] == "wa-[TELEPON]" and len(body["triage"]["top_k"]) >= 3
    listed = svc.get("/v1/complaints", role="analyst")
    assert PHONE not in listed.text


def test_recurring_groups_are_masked_for_analysts(svc):
    from service.masking import masked_group

    group = {"id": 1, "label": f"lampu jalan {PHONE}", "kelurahan": f"Onto {PHONE}", "kecamatan": "Benteng",
             "units": [{"opd": f"Kelurahan Onto {PHONE}", "count": 2}], "size": 2}
    out = masked_group(group)
    assert PHONE not in str(out) and out["label"] == "lampu jalan [TELEPON]" and out["size"] == 2
    assert out["units"] == [{"opd": "Kelurahan Onto [TELEPON]", "count": 2}]
    topic = {"scope": "kecamatan", "value": f"Benteng {PHONE}", "label": "x"}
    assert masked_group(topic)["value"] == "Benteng [TELEPON]"
