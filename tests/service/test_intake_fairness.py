"""One request cannot monopolise intake: triage runs off the event loop, on a bounded pool, fair per request."""

from __future__ import annotations

import threading
import time

from fixtures.service_app import create_keys, start_service, wipe

NORMAL = "Lampu jalan di depan SD Benteng mati sejak seminggu, mohon diperbaiki."


def _slow_triage(demo_model, per_item_seconds: float = 0.0, slow_marker: str = "LAMBAT", slow_seconds: float = 0.0):
    from service.app import load_model
    from service.triage import Triage

    class SlowCore:
        def __init__(self, core):
            self.core = core

        def __getattr__(self, name):
            return getattr(self.core, name)

        def run(self, items, **kwargs):
            if any(i.text.startswith(slow_marker) for i in items):
                time.sleep(slow_seconds)
            time.sleep(per_item_seconds * len(items))
            return self.core.run(items, **kwargs)

    class SlowTriage(Triage):
        def core_for(self, tenant=None):
            return SlowCore(super().core_for(tenant))

    return SlowTriage.from_model(load_model(str(demo_model)))


def _warm(client, headers) -> None:
    """First triage pays lazy loads (spaCy's matcher); the timings below are about steady state."""
    assert client.post("/v1/complaints", json={"text": "Jalan di Kelurahan Benteng rusak"},
                       headers=headers).status_code == 201


def _post_in_thread(client, path, body, headers, out: dict, key: str):
    def run():
        t0 = time.perf_counter()
        r = client.post(path, json=body, headers=headers)
        out[key] = (r.status_code, time.perf_counter() - t0, r)

    t = threading.Thread(target=run)
    t.start()
    return t


def test_a_slow_complaint_does_not_hold_a_normal_one(database_url, demo_model):
    wipe(database_url)
    app, client = start_service(database_url, demo_model, triage=_slow_triage(demo_model, slow_seconds=6.0))
    with client:
        h = {"Authorization": f"Bearer {create_keys(app.state.db)['operator']}"}
        _warm(client, h)
        out: dict = {}
        slow = _post_in_thread(client, "/v1/complaints", {"text": "LAMBAT " + NORMAL}, h, out, "slow")
        time.sleep(0.5)  # the slow one is being triaged now
        t0 = time.perf_counter()
        r = client.post("/v1/complaints", json={"text": NORMAL}, headers=h)
        normal_seconds = time.perf_counter() - t0
        slow.join(30)
    assert r.status_code == 201 and normal_seconds < 3.0, normal_seconds
    assert out["slow"][0] == 201


def test_a_big_batch_does_not_hold_a_single_complaint(database_url, demo_model):
    wipe(database_url)
    # 300 items at 20 ms each: 6 s of triage for the batch
    app, client = start_service(database_url, demo_model, triage=_slow_triage(demo_model, per_item_seconds=0.02))
    with client:
        h = {"Authorization": f"Bearer {create_keys(app.state.db)['operator']}"}
        _warm(client, h)
        out: dict = {}
        items = [{"text": f"{NORMAL} (laporan ke-{i})", "external_id": f"big-{i}"} for i in range(300)]
        batch = _post_in_thread(client, "/v1/complaints/batch", {"items": items}, h, out, "batch")
        time.sleep(0.5)
        t0 = time.perf_counter()
        r = client.post("/v1/complaints", json={"text": NORMAL, "external_id": "single"}, headers=h)
        single_seconds = time.perf_counter() - t0
        batch.join(60)
    assert r.status_code == 201 and single_seconds < 3.0, single_seconds
    status, _, resp = out["batch"]
    body = resp.json()
    assert status == 200 and body["created"] == 300
    assert [res["complaint"]["external_id"] for res in body["results"]] == [f"big-{i}" for i in range(300)]


def test_the_issue_text_returns_within_seconds_and_a_normal_one_beside_it_in_under_3s(database_url, demo_model):
    wipe(database_url)
    app, client = start_service(database_url, demo_model)
    with client:
        h = {"Authorization": f"Bearer {create_keys(app.state.db)['operator']}"}
        _warm(client, h)
        out: dict = {}
        hostile = _post_in_thread(client, "/v1/complaints", {"text": "a" * 19_990 + "@"}, h, out, "hostile")
        time.sleep(0.05)
        t0 = time.perf_counter()
        r = client.post("/v1/complaints", json={"text": NORMAL}, headers=h)
        normal_seconds = time.perf_counter() - t0
        hostile.join(30)
    assert r.status_code == 201 and normal_seconds < 3.0
    assert out["hostile"][0] == 201 and out["hostile"][1] < 5.0
