"""Near-duplicates across server processes: each process's index catches up from the database by id."""

from __future__ import annotations

from fixtures.service_app import Service, create_keys, start_service, wipe

FIRST = ("Lampu jalan di depan SDN 3 Benteng mati sudah dua minggu, malam hari sangat gelap dan rawan "
         "kecelakaan. Mohon segera diperbaiki.")
NEAR = ("Lampu jalan depan SDN 3 Benteng mati sdh 2 minggu, kalau malam gelap sekali dan rawan kecelakaan, "
        "mohon diperbaiki segera")
PLACE = {"kelurahan": "Benteng", "kecamatan": "Benteng"}


def _candidates(complaint: dict) -> list[int]:
    return [c["complaint_id"] for c in complaint["triage"]["duplicate_candidates"]]


def test_a_process_finds_near_duplicates_of_complaints_another_process_stored(database_url, demo_model):
    wipe(database_url)
    app_a, client_a = start_service(database_url, demo_model)
    app_b, client_b = start_service(database_url, demo_model)  # two apps: two indexes, as two processes
    with client_a, client_b:
        keys = create_keys(app_a.state.db)
        a, b = Service(client_a, app_a, database_url, keys), Service(client_b, app_b, database_url, keys)
        first = a.submit(FIRST, **PLACE)
        second = b.submit(NEAR, **PLACE)
        assert first["id"] in _candidates(second)
        third = a.submit(NEAR + " Terima kasih.", **PLACE)
        assert {first["id"], second["id"]} <= set(_candidates(third))
        for app in (app_a, app_b):  # every stored complaint indexed once per process, never twice
            ids = app.state.triage.dedup_index.finder.ids_
            assert sorted(ids) == sorted(set(ids))
        assert sorted(app_a.state.triage.dedup_index.finder.ids_) == sorted(
            str(c["id"]) for c in (first, second, third))


def test_an_id_committed_late_is_still_picked_up(database_url, demo_model):
    """A sequence hands out ids before commit: an id below the watermark that appears later is not lost."""
    from service.duplicates import DatabaseDuplicateIndex

    wipe(database_url)
    app, client = start_service(database_url, demo_model)
    with client:
        svc = Service(client, app, database_url, create_keys(app.state.db))
        one = svc.submit(FIRST, **PLACE)
        index = DatabaseDuplicateIndex.from_database(app.state.db, 60)
        assert index.finder.ids_ == [str(one["id"])]
        index._gaps[one["id"] + 1] = __import__("time").monotonic()  # as if id+1 were still in flight
        index._watermark = one["id"] + 2
        late = svc.submit(NEAR, **PLACE)  # takes id + 1
        assert late["id"] == one["id"] + 1
        index.catch_up()
        assert str(late["id"]) in index.finder.ids_


def test_items_of_one_batch_find_each_other_as_near_duplicates(database_url, demo_model):
    """Not only exact repeats: a re-worded item finds the earlier item of its own batch, in its chunk and
    across the intake's chunks (a request's chunks are stored one after the other)."""
    from service.models import PROBABLE_DUPLICATE

    wipe(database_url)
    app, client = start_service(database_url, demo_model)
    with client:
        svc = Service(client, app, database_url, create_keys(app.state.db))
        fillers = [{"text": f"Mohon informasi jadwal layanan {w} di kantor kelurahan", **PLACE}
                   for w in ("KTP", "KK", "akta", "SKTM", "pindah", "domisili", "ahli waris", "nikah", "usaha",
                             "kematian", "kelahiran", "SKCK", "izin", "PBB", "BPJS", "bansos", "pajak", "retribusi")]
        items = [{"text": FIRST, **PLACE}, {"text": NEAR, **PLACE}] + fillers + [
            {"text": NEAR + " Terima kasih.", **PLACE}]
        assert len(items) > 16  # the last item is in another chunk than the first two
        r = svc.post("/v1/complaints/batch", {"items": items})
        assert r.status_code == 200, r.text
        out = [x["complaint"] for x in r.json()["results"]]
        first, near, last = out[0], out[1], out[-1]
        batch = [c for c in near["triage"]["duplicate_candidates"] if c["complaint_id"] == first["id"]]
        assert batch and batch[0]["method"] == "batch" and batch[0]["score"] >= app.state.triage.duplicate_threshold
        assert PROBABLE_DUPLICATE in near["review_reasons"] and near["status"] == "pending_review"
        assert {first["id"], near["id"]} <= set(_candidates(last))
        assert PROBABLE_DUPLICATE not in first["review_reasons"]
        assert not any(first["id"] in _candidates(f) for f in out[2:-1])  # the fillers are not its duplicates


def test_complaints_stored_before_their_features_are_analysed_once_at_start_up(database_url, demo_model):
    """The first start after an upgrade: window complaints without a features row are analysed, indexed and
    their features stored, so the next start reads them."""
    from sqlalchemy import create_engine, text

    from service.duplicates import DatabaseDuplicateIndex

    wipe(database_url)
    app, client = start_service(database_url, demo_model)
    with client:
        svc = Service(client, app, database_url, create_keys(app.state.db))
        one = svc.submit(FIRST, **PLACE)
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM dedup_features"))
        index = DatabaseDuplicateIndex.from_database(app.state.db, 60)
        assert index.finder.ids_ == [str(one["id"])]
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM dedup_features")) == 1
        engine.dispose()
