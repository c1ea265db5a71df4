"""Through the API: a complaint accusing the suggested unit's head is not auto-routed; Inspektorat is suggested."""

from __future__ import annotations

from fixtures.service_app import Service, create_keys, start_service, wipe

TEXT = ("Camat Benteng minta uang pelicin untuk surat rekomendasi izin keramaian di kantor camat Benteng, "
        "legalisir dokumen di kecamatan tidak keluar kalau tidak bayar.")


def _triage(model_dir):
    from service.app import load_model
    from service.triage import Triage

    from fixtures.fakes import WordScreener

    return Triage(load_model(str(model_dir)), screener=WordScreener({"Camat Benteng": "defamation_risk"}, "tuduhan"))


def test_accused_suggested_unit_is_not_auto_routed(database_url, demo_model):
    wipe(database_url)
    app, client = start_service(database_url, demo_model, triage=_triage(demo_model))
    with client:
        svc = Service(client=client, app=app, url=database_url)
        svc.keys = create_keys(app.state.db)
        c = svc.submit(TEXT, kecamatan="Benteng", kelurahan="Benteng")
        t = c["triage"]
        assert t["suggested_opd"] == "Kecamatan Benteng", t
        assert t["auto_route"] is False
        assert "Terlapor adalah pimpinan/pegawai unit yang disarankan (Kecamatan Benteng)" in t["explanation"]
        assert "pertimbangkan Inspektorat Daerah" in t["explanation"]
        assert "Inspektorat Daerah" in [s["opd"] for s in t["top_k"]]
        assert c["routed_opd"] is None
