"""Operator work on SQLite and PostgreSQL: decisions (incl. concurrent ones), responses, stats, flags, limits."""

from __future__ import annotations

import threading

import pytest

from fixtures.service_app import Service, create_keys, start_service, wipe

VAGUE = "pak tolong itu yang kemarin belum juga"
UNITS = ["Dinas Sosial", "Dinas Kesehatan", "Dinas Perhubungan", "Dinas Perikanan", "Dinas Pariwisata",
         "Dinas Lingkungan Hidup", "Badan Pendapatan Daerah", "Satuan Polisi Pamong Praja"]  # demo tenant units


def decide(svc, cid, role="operator", **body):
    return svc.post(f"/v1/complaints/{cid}/decision", body, role=role)


def test_route_decision_records_operator_and_bumps_version(svc):
    c = svc.submit(VAGUE)
    assert c["status"] == "pending_review"
    target = c["triage"]["top_k"][1]["opd"]
    r = decide(svc, c["id"], action="route", opd=target, expected_version=1, note="bukan dinas PU")
    assert r.status_code == 200, r.text
    d, after = r.json()["decision"], r.json()["complaint"]
    assert d["operator"] == "test-operator" and d["from_status"] == "pending_review" and d["to_status"] == "routed"
    assert after["status"] == "routed" and after["routed_opd"] == target and after["version"] == 2
    assert after["routed_by"] == "test-operator" and after["review_reasons"] == []
    assert c["id"] not in [i["complaint"]["id"] for i in svc.get("/v1/review").json()["items"]]
    stale = decide(svc, c["id"], action="route", opd="Dinas Kesehatan", expected_version=1)
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    detail = svc.get(f"/v1/complaints/{c['id']}").json()
    assert [x["action"] for x in detail["decisions"]] == ["route"] and detail["decisions"][0]["note"] == "bukan dinas PU"
    assert decide(svc, c["id"], role="analyst", action="route", opd="Dinas Sosial", expected_version=2).status_code == 403
    assert decide(svc, 424242, action="route", opd="Dinas Sosial", expected_version=1).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"action": "route", "expected_version": 1}, "opd"),
    ({"action": "merge", "expected_version": 1}, "duplicate_of"),
    ({"action": "escalate", "expected_version": 1}, "note"),
    ({"action": "clear_flag", "expected_version": 1, "note": "  "}, "note"),
    ({"action": "route", "opd": "x"}, "expected_version"),
    ({"action": "delete", "expected_version": 1}, "action"),
])
def test_decision_validation(svc, body, field):
    c = svc.submit(VAGUE)
    r = decide(svc, c["id"], **body)
    assert r.status_code == 422 and field in r.text


def test_merge_escalate_and_invalid_states(svc):
    a, b = svc.submit(VAGUE), svc.submit(VAGUE + " lagi")
    assert decide(svc, b["id"], action="merge", duplicate_of=b["id"], expected_version=1).status_code == 422
    assert decide(svc, b["id"], action="merge", duplicate_of=999999, expected_version=1).status_code == 422
    r = decide(svc, b["id"], action="escalate", note="perlu keputusan kepala bidang", expected_version=1)
    assert r.json()["complaint"]["status"] == "escalated" and "escalated" in r.json()["complaint"]["review_reasons"]
    assert "escalated" in [i["reasons"] for i in svc.get("/v1/review").json()["items"]
                           if i["complaint"]["id"] == b["id"]][0]
    assert decide(svc, b["id"], action="escalate", note="lagi", expected_version=2).json()["code"] == "invalid_state"
    r = decide(svc, b["id"], action="merge", duplicate_of=a["id"], expected_version=2)
    assert r.status_code == 200 and r.json()["complaint"]["status"] == "merged"
    assert r.json()["complaint"]["duplicate_of"] == a["id"]
    assert decide(svc, b["id"], action="route", opd="Dinas Sosial", expected_version=3).json()["code"] == "invalid_state"
    c = svc.submit(VAGUE + " juga")
    r = decide(svc, c["id"], action="merge", duplicate_of=b["id"], expected_version=1)
    assert r.status_code == 409 and r.json()["code"] == "merge_target_merged" and str(a["id"]) in r.json()["detail"]
    r = decide(svc, a["id"], action="merge", duplicate_of=b["id"], expected_version=1)
    assert r.status_code == 409 and r.json()["code"] == "merge_cycle", r.text  # b is merged into a
    r = decide(svc, a["id"], action="merge", duplicate_of=c["id"], expected_version=1)
    assert r.status_code == 409 and r.json()["code"] == "merge_source_has_duplicates"  # b would hang on a merged a
    assert f"#{b['id']}" in r.json()["detail"]
    assert decide(svc, c["id"], action="clear_flag", note="ok", expected_version=1).json()["code"] == "no_flag"


def test_concurrent_decisions_one_wins_the_rest_409(svc):
    """Eight operators decide the same complaint at the same moment: one decision, seven 409s, none lost."""
    from service.decisions import decide as store_decide
    from service.errors import Conflict
    from service.decision_schemas import DecisionIn

    c = svc.submit(VAGUE)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def worker(i: int) -> None:
        body = DecisionIn(action="route", opd=UNITS[i], expected_version=1)
        barrier.wait()
        try:
            store_decide(svc.db, svc.app.state.tenant, c["id"], body, f"operator-{i}", None)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["version_conflict"] * 7, outcomes
    detail = svc.get(f"/v1/complaints/{c['id']}").json()
    assert len(detail["decisions"]) == 1 and detail["version"] == 2
    assert detail["routed_opd"] == detail["decisions"][0]["opd"]


def test_crossed_merges_never_make_a_cycle(svc):
    """A -> B and B -> A at the same moment from two connections, many times: exactly one merge wins, the
    other is a 409, and never is each merged into the other (PostgreSQL row locks; SQLite serialises)."""
    from service.decisions import decide as store_decide
    from service.errors import Conflict
    from service.models import Complaint
    from service.decision_schemas import DecisionIn

    for trial in range(15):
        a, b = svc.submit(f"{VAGUE} {trial}"), svc.submit(f"{VAGUE} {trial} lagi")
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def worker(src: int, dst: int) -> None:
            body = DecisionIn(action="merge", duplicate_of=dst, expected_version=1)
            barrier.wait()
            try:
                store_decide(svc.db, svc.app.state.tenant, src, body, f"operator-{src}", None)
                outcomes.append("ok")
            except Conflict as exc:
                outcomes.append(exc.code)

        threads = [threading.Thread(target=worker, args=pair) for pair in ((a["id"], b["id"]), (b["id"], a["id"]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["merge_cycle", "ok"], (trial, outcomes)
        with svc.db.session() as session:
            rows = {c.id: c for c in session.query(Complaint).filter(Complaint.id.in_([a["id"], b["id"]]))}
        merged = [c for c in rows.values() if c.status == "merged"]
        assert len(merged) == 1, (trial, [(c.id, c.status, c.duplicate_of) for c in rows.values()])
        winner, other = merged[0], rows[({a["id"], b["id"]} - {merged[0].id}).pop()]
        assert winner.duplicate_of == other.id and other.duplicate_of is None and other.status != "merged"


def test_concurrent_decisions_over_http(svc):
    c = svc.submit(VAGUE)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def worker(i: int) -> None:
        barrier.wait()
        results.append(decide(svc, c["id"], action="route", opd=UNITS[i], expected_version=1).status_code)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409, 409, 409]


def test_response_and_stats(svc):
    routed = svc.submit(VAGUE)
    r = decide(svc, routed["id"], action="route", opd="Dinas Kesehatan", expected_version=1)
    assert r.status_code == 200
    waiting = svc.submit(VAGUE + " dua")
    assert svc.post(f"/v1/complaints/{waiting['id']}/response", {"text": "sudah"}).json()["code"] == "not_routed"
    resp = svc.post(f"/v1/complaints/{routed['id']}/response", {"text": "Sudah ditindaklanjuti puskesmas."})
    assert resp.status_code == 201, resp.text
    assert resp.json()["response"]["opd"] == "Dinas Kesehatan"
    assert resp.json()["complaint"]["status"] == "responded" and resp.json()["complaint"]["responded_at"]
    assert svc.post(f"/v1/complaints/{routed['id']}/response",
                    {"text": "x", "responded_at": "2000-01-01T00:00:00Z"}).status_code == 422
    assert svc.post(f"/v1/complaints/{routed['id']}/response", {"text": "x"}, role="analyst").status_code == 403
    stats = svc.get("/v1/stats", role="analyst", params={"period": "day"})
    assert stats.status_code == 200, stats.text
    s = stats.json()
    assert s["totals"]["received"] == 2 and s["totals"]["operator_routed"] == 1 and s["totals"]["responded"] == 1
    assert s["totals"]["in_review"] == 1
    overridden = routed["suggested_opd"] != "Dinas Kesehatan"
    assert s["totals"]["override_rate"] == (1.0 if overridden else 0.0)
    kes = next(o for o in s["per_opd"] if o["opd"] == "Dinas Kesehatan")
    assert kes["routed"] == 1 and kes["responded"] == 1 and kes["time_to_response_median_s"] >= 0
    assert kes["time_to_route_p90_s"] is not None
    assert sum(p["received"] for p in s["periods"]) == 2
    empty = svc.get("/v1/stats", params={"date_from": "2100-01-01T00:00:00Z"}).json()
    assert empty["totals"]["received"] == 0 and empty["totals"]["auto_route_rate"] is None
    assert svc.get("/v1/stats", params={"period": "year"}).status_code == 422


def _screened_triage(model_dir):
    """The router plus a stand-in screener: flags texts that contain 'ancam'."""
    from service.app import load_model
    from service.triage import Triage

    from fixtures.fakes import WordScreener

    return Triage(load_model(str(model_dir)), screener=WordScreener({"ancam": "ancaman"}, "kata ancaman",
                                                                    whole_words=False))


def test_flagged_complaint_needs_clearing_before_routing(database_url, demo_model):
    wipe(database_url)
    app, client = start_service(database_url, demo_model, triage=_screened_triage(demo_model))
    with client:
        svc = Service(client=client, app=app, url=database_url)
        svc.keys = create_keys(app.state.db)
        c = svc.submit("Saya diancam oleh oknum petugas saat mengurus KTP di kantor camat. Tolong ditindak.")
        assert c["flagged"] and c["flag_categories"] == ["ancaman"] and "flagged" in c["review_reasons"]
        evidence = c["triage"]["flags"]["evidence"]
        assert [(e["text"], c["text"][e["start"]:e["end"]]) for e in evidence] == [("ancam", "ancam")]
        assert c["status"] == "pending_review"
        flagged = svc.get("/v1/complaints", params={"flag": "ancaman"}).json()["items"]
        assert [x["id"] for x in flagged] == [c["id"]]
        assert svc.get("/v1/review", params={"reason": "flagged"}).json()["queue_size"] == 1
        r = decide(svc, c["id"], action="route", opd="Inspektorat Daerah", expected_version=1)
        assert r.status_code == 409 and r.json()["code"] == "flag_not_cleared"
        r = decide(svc, c["id"], action="clear_flag", note="laporan sah, bukan spam", expected_version=1)
        assert r.status_code == 200 and r.json()["complaint"]["flag_cleared"]
        assert "flagged" not in r.json()["complaint"]["review_reasons"]
        # the model was not sure where this goes, so clearing the flag leaves it waiting for a routing decision
        assert c["triage"]["auto_route"] is False
        assert r.json()["complaint"]["status"] == "pending_review"
        assert r.json()["complaint"]["review_reasons"] == ["not_auto_routed"]
        r = decide(svc, c["id"], action="route", opd="Inspektorat Daerah", expected_version=2)
        assert r.status_code == 200 and r.json()["complaint"]["status"] == "routed"
        assert r.json()["complaint"]["routed_opd"] == "Inspektorat Daerah"
        assert svc.submit("Jalan di Benteng rusak")["flagged"] is False
        assert "ancaman" in client.get("/metrics").text


def test_rate_limit_per_key(database_url, demo_model):
    wipe(database_url)
    app, client = start_service(database_url, demo_model, rate_limit_per_second=0.5, rate_limit_burst=3)
    with client:
        keys = create_keys(app.state.db)
        h = {"Authorization": f"Bearer {keys['analyst']}"}
        codes = [client.get("/v1/model", headers=h).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = client.get("/v1/model", headers=h)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and r.json()["code"] == "rate_limited"
        other = {"Authorization": f"Bearer {keys['operator']}"}
        assert client.get("/v1/model", headers=other).status_code == 200
