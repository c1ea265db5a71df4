"""The HTTP API end to end, on SQLite and PostgreSQL: auth, intake, idempotency, limits, listing."""

from __future__ import annotations

import json

import pytest

from fixtures.service_app import Service, create_keys, start_service, wipe

ROAD = "Jalan rusak parah di desa Onto, lubang besar membahayakan pengendara. Mohon segera diperbaiki."
SCHOOL = "Guru SD di desa kami sering tidak masuk, murid dipulangkan lebih awal. Mohon Dinas Pendidikan menindak."


def test_auth_missing_invalid_and_wrong_role(svc):
    r = svc.client.post("/v1/complaints", json={"text": ROAD})
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    assert r.headers["www-authenticate"] == "Bearer"
    r = svc.client.get("/v1/review", headers={"Authorization": "Bearer lt_not-a-key"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_key"
    r = svc.post("/v1/complaints", {"text": ROAD}, role="analyst")
    assert r.status_code == 403 and "analyst" in r.json()["detail"]
    assert svc.get("/v1/review", role="analyst").status_code == 403
    assert svc.get("/v1/stats", role="analyst").status_code == 200
    assert svc.post("/v1/complaints", {"text": ROAD}, role="admin").status_code == 201


def test_revoked_key_is_refused(svc):
    from service.auth import revoke_key

    assert svc.get("/v1/model").status_code == 200
    with svc.db.session(write=True) as s, s.begin():
        from service.admin_models import ApiKey
        from sqlalchemy import select

        key_id = s.scalar(select(ApiKey.id).where(ApiKey.role == "operator"))
        revoke_key(s, key_id)
    svc.app.state.keys.clear()
    assert svc.get("/v1/model").status_code == 401


def test_submit_stores_masks_and_triages(svc):
    r = svc.post("/v1/complaints", {"text": ROAD + " Hubungi 081234567890.", "kecamatan": "Bontomatene",
                                    "kelurahan": "Onto", "channel": "web", "submitted_at": "2026-01-02T07:00:00+08:00"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["id"] >= 1 and c["version"] == 1 and c["channel"] == "web"
    assert "081234567890" in c["text"] and "[TELEPON]" in c["masked_text"] and "0812" not in c["masked_text"]
    assert c["submitted_at"].startswith("2026-01-01T23:00:00")
    t = c["triage"]
    assert t["model_version"] and t["suggested_opd"] == c["suggested_opd"] and len(t["top_k"]) >= 3
    assert 0 < t["confidence"] <= 1 and t["explanation"]
    # the demo model is sure about a broken road (confidence ≈ 1 above its threshold): routed on its own
    assert t["auto_route"] is True and t["suggested_opd"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    assert c["status"] == "routed" and c["review_reasons"] == []
    assert c["routed_opd"] == c["suggested_opd"] and c["routed_by"] == "model" and c["auto_routed"] is True
    got = svc.get(f"/v1/complaints/{c['id']}").json()
    assert got["masked_text"] == c["masked_text"] and got["decisions"] == [] and got["responses"] == []
    assert svc.get(f"/v1/complaints/{c['id']}", role="analyst").json()["text"] is None
    assert svc.get("/v1/complaints/999999").status_code == 404


def test_unsure_suggestion_waits_for_an_operator(svc):
    c = svc.submit("zzq xkcd qwrty plok")  # no word the model knows: a suggestion, never a routing
    assert c["triage"]["auto_route"] is False and c["status"] == "pending_review"
    assert c["review_reasons"] == ["not_auto_routed"] and c["routed_opd"] is None and c["auto_routed"] is False
    queue = svc.get("/v1/review").json()
    assert [i["complaint"]["id"] for i in queue["items"]] == [c["id"]] and queue["items"][0]["reasons"] == [
        "not_auto_routed"]


def test_idempotent_on_channel_and_external_id(svc):
    first = svc.post("/v1/complaints", {"text": ROAD, "external_id": "42", "channel": "web"})
    assert first.status_code == 201
    again = svc.post("/v1/complaints", {"text": ROAD, "external_id": "42", "channel": "web"})  # a retry
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = svc.post("/v1/complaints", {"text": ROAD + " (teks lain)", "external_id": "42", "channel": "web"})
    assert other.status_code == 409 and other.json()["code"] == "external_id_conflict"
    assert f"#{first.json()['id']}" in other.json()["detail"]
    sms = svc.post("/v1/complaints", {"text": SCHOOL, "external_id": "42", "channel": "sms"})  # another channel
    assert sms.status_code == 201 and sms.json()["id"] != first.json()["id"]
    page = svc.get("/v1/complaints").json()
    assert sorted(i["id"] for i in page["items"]) == sorted([first.json()["id"], sms.json()["id"]])


def test_a_batch_reports_a_reused_key_with_another_text_per_item(svc):
    svc.post("/v1/complaints", {"text": ROAD, "external_id": "b-1", "channel": "web"})
    r = svc.post("/v1/complaints/batch", {"items": [
        {"text": ROAD, "external_id": "b-1", "channel": "web"},
        {"text": SCHOOL, "external_id": "b-1", "channel": "web"},
        {"text": SCHOOL, "external_id": "b-2", "channel": "web"},
        {"text": ROAD, "external_id": "b-2", "channel": "web"}]})
    body = r.json()
    assert r.status_code == 200 and [i["status"] for i in body["results"]] == ["existing", "error", "created", "error"]
    assert body["results"][1]["errors"][0]["type"] == "external_id_conflict"


@pytest.mark.parametrize("body, status, field", [
    ({"text": ROAD, "colour": "red"}, 422, "colour"),
    ({"text": "x" * 20_001}, 422, "text"),
    ({"text": 12}, 422, "text"),
    ({"text": "   "}, 422, "text"),
    ({"text": "ada\x00nul"}, 422, "text"),
    ({}, 422, "text"),
    ({"text": ROAD, "submitted_at": "kemarin"}, 422, "submitted_at"),
])
def test_bad_input_is_422_naming_the_field(svc, body, status, field):
    r = svc.post("/v1/complaints", body)
    assert r.status_code == status, r.text
    assert any(field in [str(p) for p in e["loc"]] for e in r.json()["detail"]), r.json()
    assert field in r.json()["message"]


def test_the_api_text_limit_follows_the_setting_like_batch(database_url, demo_model):
    """LAPOR_MAX_TEXT_CHARS (Settings.max_text_chars) is the limit of the API, the console and batch alike."""
    from fixtures.service_app import Service, create_keys, start_service, wipe

    wipe(database_url)
    app, client = start_service(database_url, demo_model, max_text_chars=120)
    with client:
        svc = Service(client=client, app=app, url=database_url)
        svc.keys = create_keys(app.state.db)
        text = ROAD.ljust(120, ".")
        assert svc.post("/v1/complaints", {"text": text}).status_code == 201
        r = svc.post("/v1/complaints", {"text": text + "."})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "text"]
        assert r.json()["code"] == "string_too_long" and "120" in r.json()["message"]
        r = svc.post("/v1/complaints/batch", {"items": [{"text": text + "."}, {"text": SCHOOL}]})
        assert [i["status"] for i in r.json()["results"]] == ["error", "created"]
        assert r.json()["results"][0]["errors"][0]["loc"] == ["items", 0, "text"]
    app, client = start_service(database_url, demo_model, max_text_chars=50_000)
    with client:
        svc = Service(client=client, app=app, url=database_url)
        svc.keys = create_keys(app.state.db)
        assert svc.post("/v1/complaints", {"text": ROAD + " " + "sangat " * 3_000}).status_code == 201  # > 20,000


def _cursor(raw: str) -> str:
    import base64

    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize("raw", ["2026-01-01T00:00:00+00:00|" + "9" * 30, f"2026-01-01T00:00:00+00:00|{2**63}",
                                 "2026-01-01T00:00:00+00:00|-1", "0001-01-01T00:00:00+14:00|5",
                                 "9999-12-31T23:59:59-14:00|5", "2026-13-01T00:00:00|5"])
@pytest.mark.parametrize("path", ["/v1/complaints", "/v1/review"])
def test_a_cursor_with_a_huge_id_or_an_out_of_range_time_is_422(svc, path, raw):
    r = svc.get(path, params={"cursor": _cursor(raw)})
    assert r.status_code == 422 and r.json()["code"] == "invalid_cursor", r.text


def test_error_bodies_are_bounded(svc):
    """80,000 unknown keys (or one 500,000-character key) get a small 422 that counts them, not a 7 MB echo."""
    from service.http_errors import MAX_ERRORS

    many = {"text": ROAD, **{f"k{i}": 1 for i in range(80_000)}}
    r = svc.post("/v1/complaints", many)
    assert r.status_code == 422 and len(r.content) < 10_000, len(r.content)
    assert r.json()["error_count"] == 80_000 and len(r.json()["detail"]) == MAX_ERRORS
    assert "79.995 lainnya" in r.json()["message"]
    r = svc.post("/v1/complaints/batch", {"items": [many, {"text": SCHOOL}]})
    assert r.status_code == 200 and len(r.content) < 10_000, len(r.content)
    assert [i["status"] for i in r.json()["results"]] == ["error", "created"]
    assert len(r.json()["results"][0]["errors"]) == MAX_ERRORS
    r = svc.post("/v1/complaints", {"text": ROAD, "k" * 500_000: 1})
    assert r.status_code == 422 and len(r.content) < 2_000


def test_invalid_json_and_oversized_body(svc):
    r = svc.client.post("/v1/complaints", content=b'{"text": "abc",', headers={**svc.auth(),
                                                                               "Content-Type": "application/json"})
    assert r.status_code == 422
    big = json.dumps({"text": "a" * 1_100_000}).encode()
    r = svc.client.post("/v1/complaints", content=big, headers={**svc.auth(), "Content-Type": "application/json"})
    assert r.status_code == 413 and "body" in r.json()["detail"]


def test_batch_per_item_results(svc):
    items = [{"text": ROAD, "external_id": "b-1"}, {"text": ""}, {"text": SCHOOL, "bogus": 1},
             {"text": SCHOOL, "external_id": "b-2"}, {"text": ROAD, "external_id": "b-1"}]
    r = svc.post("/v1/complaints/batch", {"items": items})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["created"], out["existing"], out["failed"]) == (2, 1, 2)
    res = out["results"]
    assert [x["status"] for x in res] == ["created", "error", "error", "created", "existing"]
    assert res[1]["errors"][0]["loc"][:3] == ["items", 1, "text"]
    assert res[2]["errors"][0]["loc"] == ["items", 2, "bogus"]
    assert res[4]["complaint"]["id"] == res[0]["complaint"]["id"]
    again = svc.post("/v1/complaints/batch", {"items": [{"text": SCHOOL, "external_id": "b-2"}]}).json()
    assert again["existing"] == 1 and again["results"][0]["complaint"]["id"] == res[3]["complaint"]["id"]
    other = svc.post("/v1/complaints/batch", {"items": [{"text": ROAD, "external_id": "b-2"}]}).json()
    assert other["failed"] == 1 and f"#{res[3]['complaint']['id']}" in other["results"][0]["errors"][0]["msg"]
    assert svc.post("/v1/complaints/batch", {"items": [{"text": "a"}] * 1001}).status_code == 422
    assert svc.post("/v1/complaints/batch", {"items": []}).status_code == 422


def test_list_filters_and_cursor_pagination(svc):
    ids = [svc.submit(f"{ROAD} nomor {i}")["id"] for i in range(5)]
    page = svc.get("/v1/complaints", params={"limit": 2}).json()
    seen = [c["id"] for c in page["items"]]
    while page["next_cursor"]:
        page = svc.get("/v1/complaints", params={"limit": 2, "cursor": page["next_cursor"]}).json()
        seen += [c["id"] for c in page["items"]]
    assert seen == sorted(ids, reverse=True)
    one = svc.get(f"/v1/complaints/{ids[0]}").json()
    by_opd = svc.get("/v1/complaints", params={"suggested_opd": one["suggested_opd"]}).json()["items"]
    assert ids[0] in [c["id"] for c in by_opd]
    assert svc.get("/v1/complaints", params={"status": "merged"}).json()["items"] == []
    assert svc.get("/v1/complaints", params={"date_from": "2100-01-01T00:00:00Z"}).json()["items"] == []
    assert len(svc.get("/v1/complaints", params={"date_to": "2100-01-01T00:00:00Z"}).json()["items"]) == 5
    assert svc.get("/v1/complaints", params={"flagged": "true"}).json()["items"] == []
    assert svc.get("/v1/complaints", params={"cursor": "!!nonsense"}).status_code == 422
    assert svc.get("/v1/complaints", params={"status": "lost"}).status_code == 422
    assert svc.get("/v1/complaints", params={"limit": 0}).status_code == 422


def test_review_queue_oldest_first_with_reasons(svc):
    a = svc.submit("pak tolong itu yang kemarin belum juga")  # vague: the model is not confident
    b = svc.submit("pak tolong itu yang kemarin belum juga")  # exact re-submission
    q = svc.get("/v1/review").json()
    ids = [i["complaint"]["id"] for i in q["items"]]
    assert ids.index(a["id"]) < ids.index(b["id"]) and q["queue_size"] >= 2
    item_b = next(i for i in q["items"] if i["complaint"]["id"] == b["id"])
    assert "probable_duplicate" in item_b["reasons"]
    assert item_b["complaint"]["triage"]["duplicate_candidates"][0]["complaint_id"] == a["id"]
    dup_only = svc.get("/v1/review", params={"reason": "probable_duplicate"}).json()
    assert [i["complaint"]["id"] for i in dup_only["items"]] == [b["id"]]


def test_model_health_ready_metrics(svc):
    m = svc.get("/v1/model", role="analyst").json()
    assert m["model_version"] and len(m["labels"]) >= 5 and m["components"]["router"] is True
    assert svc.client.get("/healthz").json()["status"] == "ok"
    ready = svc.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert "warmed up" in ready.json()["checks"]["model"]  # the first request pays no warm-up cost
    svc.submit()
    metrics = svc.client.get("/metrics").text
    assert "lapor_http_request_duration_seconds_bucket" in metrics
    assert "lapor_complaints_triaged_total" in metrics and "lapor_review_queue_size" in metrics


def test_readyz_is_not_ready_when_the_model_cannot_triage(database_url, demo_model):
    from service.app import load_model
    from service.triage import Triage

    class Broken(Triage):
        def core_for(self, tenant=None):
            raise RuntimeError("model file damaged")

    wipe(database_url)
    app, client = start_service(database_url, demo_model, triage=Broken(load_model(str(demo_model))))
    with client:
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["model"] == "warm-up failed: RuntimeError"


def test_openapi_is_usable(svc):
    schema = svc.client.get("/openapi.json").json()
    assert {"/v1/complaints", "/v1/complaints/batch", "/v1/review", "/v1/stats", "/v1/model",
            "/v1/complaints/{complaint_id}/decision"} <= set(schema["paths"])
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    assert schema["components"]["schemas"]["ComplaintIn"]["additionalProperties"] is False


def test_reworded_resend_at_the_same_place_is_a_probable_duplicate(svc):
    first = svc.submit("Pipa PDAM bocor di depan rumah saya Jl. Sultan Hasanuddin No. 12, air terbuang sejak "
                       "tiga hari lalu, mohon segera diperbaiki", kelurahan="Benteng", kecamatan="Benteng",
                       address="Jl. Sultan Hasanuddin No. 12")
    again = svc.submit("Mohon segera diperbaiki, pipa PDAM bocor depan rumah Jl. Sultan Hasanuddin No. 12, "
                       "airnya terbuang sudah empat hari", kelurahan="Benteng", kecamatan="Benteng",
                       address="Jl. Sultan Hasanuddin No. 12")
    elsewhere = svc.submit("Lampu jalan mati di dekat pelabuhan, gelap sekali kalau malam",
                           kelurahan="Parak", kecamatan="Bontomanai")
    candidates = again["triage"]["duplicate_candidates"]
    assert candidates and candidates[0]["complaint_id"] == first["id"] and candidates[0]["method"] == "index"
    assert "probable_duplicate" in again["review_reasons"]
    assert first["id"] not in [c["complaint_id"] for c in elsewhere["triage"]["duplicate_candidates"]]
    assert "probable_duplicate" not in elsewhere["review_reasons"]


def test_page_and_batch_limits_come_from_the_settings(database_url, demo_model):
    wipe(database_url)
    app, client = start_service(database_url, demo_model, default_page_size=2, max_page_size=3,
                                batch_max_items=2)
    with client:
        svc = Service(client=client, app=app, url=database_url)
        svc.keys = create_keys(app.state.db)
        r = svc.post("/v1/complaints/batch", {"items": [{"text": f"jalan rusak {i}"} for i in range(3)]})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "items"]
        assert "paling banyak 2" in r.json()["message"]
        for i in range(2):
            assert svc.post("/v1/complaints/batch", {"items": [{"text": f"jalan rusak {i}"},
                                                               {"text": f"air mati {i}"}]}).status_code == 200
        page = svc.get("/v1/complaints").json()
        assert len(page["items"]) == 2 and page["next_cursor"]  # LAPOR_DEFAULT_PAGE_SIZE
        assert len(svc.get("/v1/complaints", params={"limit": 3}).json()["items"]) == 3
        r = svc.get("/v1/complaints", params={"limit": 4})  # over LAPOR_MAX_PAGE_SIZE
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "limit"]
        assert len(svc.get("/v1/review", params={"limit": 3}).json()["items"]) <= 3
        assert svc.get("/v1/review", params={"limit": 4}).status_code == 422
