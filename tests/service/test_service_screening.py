"""The service with a real screener in the model bundle: flags reach the review queue with evidence."""

from __future__ import annotations

from fixtures.service_app import sqlite_service


def test_accusation_against_a_named_officer_is_flagged_with_evidence_in_the_original_text(tmp_path, screened_model):
    with sqlite_service(tmp_path, screened_model) as svc:
        text = r"Ketua RT 05 Kelurahan Benteng meminta uang Rp 200 ribu\nuntuk tanda tangan surat pindah, hub 0812-3456-7890"
        flagged = svc.submit(text, kelurahan="Benteng", kecamatan="Benteng")
        calm = svc.submit("Jalan poros desa rusak parah, mohon segera diaspal", kelurahan="Parak", kecamatan="Bontomanai")
        flags = flagged["triage"]["flags"]
        assert flags["flagged"] and "defamation_risk" in flags["categories"] and flags["reason"]
        for e in flags["evidence"]:
            assert text[e["start"]:e["end"]] == e["text"]
        assert "flagged" in flagged["review_reasons"]
        assert not calm["triage"]["flags"]["flagged"] and "flagged" not in calm["review_reasons"]
        queue = svc.get("/v1/review", params={"reason": "flagged"}).json()
        assert [i["complaint"]["id"] for i in queue["items"]] == [flagged["id"]]
