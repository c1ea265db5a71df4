"""The service shares the triage core's out-of-tenant decision: such a complaint waits for an operator."""

from __future__ import annotations

from fixtures.service_app import *  # noqa: F401,F403

FOREIGN = "Box culvert di Jl. Kertajaya Indah ambrol, mobil terperosok, tolong Bina Marga segera tangani rek"


def test_complaint_from_another_region_is_not_auto_routed(svc):
    c = svc.submit(FOREIGN, kelurahan="Manyar Sabrangan", kecamatan="Mulyorejo")
    assert c["auto_routed"] is False and c["status"] == "pending_review"
    assert "not_auto_routed" in c["review_reasons"]
    assert c["triage"]["auto_route"] is False
    assert "Di luar wilayah model: wilayah 'Manyar Sabrangan'" in c["triage"]["explanation"]
    home = svc.submit("Pedagang pasar buang sisa ikan & sampah ke laut malam hari, pagi2 pantai bau dan penuh "
                      "lalat. Mohon diawasi.", kelurahan="Benteng Utara", kecamatan="Benteng")
    assert home["auto_routed"] is True and "Di luar wilayah" not in home["triage"]["explanation"]
