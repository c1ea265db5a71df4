"""The operator's day through the API, on SQLite and PostgreSQL: deadlines, disposition to several OPDs,
forwarding after an answer, merge and unmerge, claims, search, statistics by submission time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")
VAGUE = "pak tolong itu yang kemarin belum juga"
LAMP = "Lampu jalan di Jalan Sudirman Benteng mati sudah seminggu, gelap sekali malam hari"


def decide(svc, cid, role="operator", **body):
    return svc.post(f"/v1/complaints/{cid}/decision", body, role=role)


def test_a_complaint_carries_the_deadline_of_its_stage(svc):
    c = svc.submit(VAGUE, submitted_at="2026-11-27T10:00:00+08:00")  # Friday, WITA
    assert c["status"] == "pending_review" and c["stage"] == "verification"
    due = datetime.fromisoformat(c["due_at"])
    assert due.astimezone(WITA).date().isoformat() == "2026-12-02"  # three working days: Mon, Tue, Wed
    assert svc.get(f"/v1/complaints/{c['id']}").json()["due_at"] == c["due_at"]
    r = decide(svc, c["id"], action="route", opd="Dinas Sosial", expected_version=1)
    routed = r.json()["complaint"]
    assert routed["stage"] == "follow_up" and routed["due_at"] != c["due_at"]  # the OPD's 5 working days now


def test_unknown_unit_is_422_and_nothing_changes(svc):
    c = svc.submit(VAGUE)
    r = decide(svc, c["id"], action="route", opd="Dinas Yang Tidak Ada", expected_version=1)
    assert r.status_code == 422 and r.json()["code"] == "unknown_unit"
    assert r.json()["detail"][0]["loc"] == ["body", "opd"]
    r = decide(svc, c["id"], action="route", opd="Dinas Sosial", co_opds=["Dinas Khayalan"], expected_version=1)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "co_opds"]
    assert svc.get(f"/v1/complaints/{c['id']}").json()["version"] == 1


def test_dispose_to_two_opds_answer_forward_and_settle(svc):
    c = svc.submit(VAGUE)
    r = decide(svc, c["id"], action="verify", expected_version=1)
    assert r.status_code == 200 and r.json()["complaint"]["status"] == "verified"
    r = decide(svc, c["id"], action="route", opd="Dinas Perhubungan", co_opds=["Dinas Pekerjaan Umum dan Penataan "
                                                                               "Ruang"], expected_version=2)
    done = r.json()["complaint"]
    assert done["routed_opd"] == "Dinas Perhubungan" and done["co_opds"] == ["Dinas Pekerjaan Umum dan Penataan Ruang"]
    assert r.json()["decision"]["co_opds"] == ["Dinas Pekerjaan Umum dan Penataan Ruang"]
    future = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()
    bad = svc.post(f"/v1/complaints/{c['id']}/response", {"text": "Sudah diperbaiki", "responded_at": future})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "responded_at"]
    r = svc.post(f"/v1/complaints/{c['id']}/response", {"text": "Lampu sudah diganti petugas."})
    assert r.status_code == 201 and r.json()["complaint"]["status"] == "responded"
    assert r.json()["complaint"]["due_at"] is None
    version = r.json()["complaint"]["version"]
    # bukan wewenang after the answer: forward to another body, with the reason
    r = decide(svc, c["id"], action="forward", opd="PT PLN (Persero) ULP Selayar", note="jaringan listrik PLN",
               expected_version=version)
    assert r.status_code == 200, r.text
    fwd = r.json()["complaint"]
    assert fwd["status"] == "routed" and fwd["routed_opd"] == "PT PLN (Persero) ULP Selayar"
    assert fwd["status_note"] == "jaringan listrik PLN"
    r = svc.post(f"/v1/complaints/{c['id']}/response", {"text": "PLN sudah memperbaiki jaringan."})
    r = decide(svc, c["id"], action="done", expected_version=r.json()["complaint"]["version"])
    assert r.json()["complaint"]["status"] == "done"
    history = svc.get(f"/v1/complaints/{c['id']}").json()
    assert [d["action"] for d in history["decisions"]] == ["verify", "route", "forward", "done"]
    assert all(d["operator"] == "test-operator" and d["created_at"] for d in history["decisions"])
    assert len(history["responses"]) == 2


def test_route_again_after_an_answer_is_forwarding(svc):
    c = svc.submit(VAGUE)
    r = decide(svc, c["id"], action="route", opd="Dinas Sosial", expected_version=1)
    r = svc.post(f"/v1/complaints/{c['id']}/response", {"text": "Sudah ditangani."})
    r = decide(svc, c["id"], action="route", opd="Dinas Kesehatan", co_opds=["Dinas Sosial"],
               expected_version=r.json()["complaint"]["version"])
    assert r.status_code == 200 and r.json()["complaint"]["routed_opd"] == "Dinas Kesehatan"
    assert r.json()["complaint"]["co_opds"] == ["Dinas Sosial"]


def test_merge_answer_reaches_the_duplicate_and_unmerge_undoes_it(svc):
    a = svc.submit(LAMP)
    b = svc.submit(VAGUE)
    c = svc.submit(VAGUE + " lagi")
    a_version = a["version"]
    if a["status"] != "routed":
        a_version = decide(svc, a["id"], action="route", opd="Dinas Perhubungan",
                           expected_version=a_version).json()["complaint"]["version"]
    r = decide(svc, b["id"], action="merge", duplicate_of=a["id"], expected_version=1)
    assert r.json()["complaint"]["status"] == "merged"
    r = decide(svc, c["id"], action="merge", duplicate_of=b["id"], expected_version=1)
    assert r.status_code == 409 and r.json()["code"] == "merge_target_merged"  # only into an unmerged complaint
    r = svc.post(f"/v1/complaints/{a['id']}/response", {"text": "Lampu sudah diganti."})
    assert r.status_code == 201
    merged = svc.get(f"/v1/complaints/{b['id']}").json()
    assert merged["responded_at"] and merged["responses"][0]["source_complaint_id"] == a["id"]
    assert merged["responses"][0]["text"] == "Lampu sudah diganti."
    r = decide(svc, b["id"], action="unmerge", expected_version=merged["version"], note="bukan laporan yang sama")
    assert r.status_code == 200, r.text
    back = r.json()["complaint"]
    assert back["status"] == "pending_review" and back["duplicate_of"] is None
    assert r.json()["decision"]["duplicate_of"] == a["id"] and r.json()["decision"]["note"] == "bukan laporan yang sama"
    assert decide(svc, b["id"], action="route", opd="Dinas Sosial", expected_version=back["version"]).status_code == 200


def test_claims_postpone_archive_reopen(svc):
    c = svc.submit(VAGUE)
    r = decide(svc, c["id"], action="claim", expected_version=1)
    assert r.json()["complaint"]["assignee"] == "test-operator"
    r2 = decide(svc, c["id"], role="admin", action="claim", expected_version=2)
    assert r2.status_code == 409 and r2.json()["code"] == "claimed"
    assert svc.get("/v1/complaints", params={"assignee": "test-operator"}).json()["items"][0]["id"] == c["id"]
    r = decide(svc, c["id"], action="postpone", note="isi kurang jelas, tunggu keterangan pelapor", expected_version=2)
    assert r.json()["complaint"]["status"] == "postponed" and r.json()["complaint"]["due_at"] is None
    r = decide(svc, c["id"], action="archive", note="bukan pelayanan publik", expected_version=3)
    assert r.json()["complaint"]["status"] == "archived"
    assert decide(svc, c["id"], action="route", opd="Dinas Sosial", expected_version=4).status_code == 409
    r = decide(svc, c["id"], action="reopen", note="pelapor melengkapi", expected_version=4)
    assert r.json()["complaint"]["status"] == "pending_review" and r.json()["complaint"]["due_at"]


def test_full_text_search_and_filters(svc):
    lamp = svc.submit(LAMP, kecamatan="Benteng", kelurahan="Benteng")
    svc.submit("Sampah menumpuk di pasar Bontoharu, bau sekali", kecamatan="Bontoharu")
    found = svc.get("/v1/complaints", params={"q": "lampu"}).json()["items"]
    assert [x["id"] for x in found] == [lamp["id"]]
    assert [x["id"] for x in svc.get("/v1/complaints", params={"q": "gelap semingg"}).json()["items"]] == [lamp["id"]]
    assert svc.get("/v1/complaints", params={"q": "lampu sampah"}).json()["items"] == []
    assert len(svc.get("/v1/complaints", params={"q": "\" OR * NEAR("}).json()["items"]) == 0  # no operators
    assert [x["id"] for x in svc.get("/v1/complaints", params={"q": "lampu", "area": "Benteng"}).json()["items"]] == [
        lamp["id"]]
    assert svc.get("/v1/complaints", params={"q": "lampu", "area": "Bontoharu"}).json()["items"] == []


def test_overdue_queues(svc):
    old = svc.submit(VAGUE, submitted_at="2026-01-05T09:00:00+08:00")
    new = svc.submit(VAGUE + " baru")
    overdue = [x["id"] for x in svc.get("/v1/complaints", params={"deadline": "overdue"}).json()["items"]]
    assert old["id"] in overdue and new["id"] not in overdue
    assert old["overdue"] and old["overdue_3x"] and not new["overdue"]
    three = [x["id"] for x in svc.get("/v1/complaints", params={"deadline": "overdue_3x"}).json()["items"]]
    assert three == [old["id"]]


def test_stats_count_by_submission_time_in_a_date_range(svc):
    svc.submit(VAGUE, submitted_at="2025-03-10T09:00:00+08:00")
    svc.submit(VAGUE + " dua", submitted_at="2025-03-20T09:00:00+08:00")
    svc.submit(VAGUE + " tiga", submitted_at="2025-05-02T09:00:00+08:00")
    svc.submit(VAGUE + " sekarang")  # no submitted_at: counted when received (now)
    s = svc.get("/v1/stats", params={"date_from": "2025-03-01T00:00:00+08:00", "date_to": "2025-04-01T00:00:00+08:00",
                                     "period": "month"}).json()
    assert s["totals"]["received"] == 2
    assert [(p["period_start"][:10], p["received"]) for p in s["periods"]] == [("2025-03-01", 2)]
    everything = svc.get("/v1/stats", params={"period": "month"}).json()
    assert everything["totals"]["received"] == 4 and len({p["period_start"] for p in everything["periods"]}) == 3


def test_canned_replies_fit_the_status_and_fill_their_placeholders(svc):
    c = svc.submit(VAGUE, kecamatan="Benteng", kelurahan="Benteng Utara")
    assert svc.get(f"/v1/complaints/{c['id']}/replies").json() == []  # none written for a complaint in review
    r = decide(svc, c["id"], action="route", opd="Dinas Sosial", expected_version=1)
    replies = svc.get(f"/v1/complaints/{c['id']}/replies").json()
    assert {x["title"] for x in replies} == {"Disposisi diterima", "Sedang dijadwalkan"}
    text = next(x["text"] for x in replies if x["title"] == "Disposisi diterima")
    due = datetime.fromisoformat(r.json()["complaint"]["due_at"]).astimezone(WITA)
    assert f"#{c['id']}" in text and "Dinas Sosial" in text and f"{due.day} " in text and "{" not in text
    assert svc.get("/v1/complaints/999999/replies").status_code == 404
