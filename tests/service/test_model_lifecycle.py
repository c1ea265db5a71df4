"""Acceptance of the model life cycle (issue 16): demo tenant, fresh database — seed, route 24 complaints
through the API, retrain in the background, see the candidate and its comparison, promote it (served without a
restart, the screener kept: an abusive complaint is still flagged), then promote the old version back."""

from __future__ import annotations

import time

import pytest
from fixtures.screening_data import screened_copy
from fixtures.service_app import Service, sqlite_service

ABUSIVE = "Pelayanan di kelurahan lambat sekali, dasar pegawai goblok semua, bangsat!"


@pytest.fixture
def service(tmp_path, screened_model, demo_dir):
    """The demo router with a screener (the two components a retrain must keep), demo complaints seeded."""
    from service.demo_seed import seed

    with sqlite_service(tmp_path, screened_model, model_store_dir=tmp_path / "versions",
                        demo_tenant_dir=demo_dir) as svc:
        seed(svc.db, svc.app.state.triage, svc.app.state.tenant, demo_dir, count=None, history=0)
        yield svc


def wait_trained(svc: Service, version: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = svc.get(f"/v1/models/{version}", role="analyst").json()
        if row["status"] != "training":
            return row
        time.sleep(0.5)
    raise AssertionError(f"{version} still training after {timeout}s")


def route_pending(svc: Service, n: int) -> list[dict]:
    """An operator routes ``n`` pending complaints: to the suggestion, or the runner-up every third time."""
    items = svc.get("/v1/review", params={"limit": 100}).json()["items"]
    routed = []
    for i, item in enumerate(items[:n]):
        c = item["complaint"]
        top = [s["opd"] for s in c["triage"]["top_k"]]
        unit = top[1] if i % 3 == 2 and len(top) > 1 else top[0]
        r = svc.post(f"/v1/complaints/{c['id']}/decision", {"action": "route", "opd": unit,
                                                            "expected_version": c["version"]})
        assert r.status_code == 200, r.text
        routed.append(r.json()["complaint"])
    return routed


def test_retrain_promote_and_roll_back_without_restart(service):
    svc = service
    before = svc.get("/v1/model").json()
    assert before["components"]["screening"] and before["components"]["router"]
    listed = svc.get("/v1/models", role="analyst").json()["items"]
    assert [(m["version"], m["status"]) for m in listed] == [(before["model_version"], "active")]
    assert len(route_pending(svc, 24)) == 24

    assert svc.post("/v1/models/retrain", role="operator").status_code == 403
    started = svc.post("/v1/models/retrain", role="analyst")
    assert started.status_code == 202, started.text
    version = started.json()["version"]
    row = wait_trained(svc, version)
    assert row["status"] == "candidate", row.get("error")
    comparison = row["metrics"]["comparison"]
    assert comparison["holdout"]["n"] >= 5 and comparison["passed"] in (True, False)
    for side in ("candidate", "active"):
        assert {"top1_accuracy", "top3_accuracy", "macro_f1", "coverage_at_target"} <= set(comparison[side])
    assert comparison["active"]["model_version"] == before["model_version"]
    n = comparison["holdout"]["n"]
    for key, d in comparison["differences"].items():  # paired: n and the interval shown with each figure
        assert d["n"] == n and d["interval"][0] <= d["difference"] <= d["interval"][1], (key, d)
        assert d["significantly_worse"] is (d["interval"][1] < 0)
    assert comparison["passed"] is not any(d["significantly_worse"] for d in comparison["differences"].values())
    assert comparison["mcnemar_top1"]["n"] == n and 0 <= comparison["mcnemar_top1"]["p_value"] <= 1
    assert row["components"] == {"router": "retrained", "screener": f"carried over from {before['model_version']}"}
    screener = row["carried_over"]["screener"]  # said explicitly, with the screener's own version and why
    assert screener["trained_in"] == screener["from_version"] == before["model_version"]
    assert len(screener["parent_sha256"]) == 64 and screener["reason"].startswith("not retrained")
    assert row["metrics"]["carried_over"] == row["carried_over"] and set(row["carried_over"]) == {"screener"}
    assert row["training_data"]["decided_rows"] + row["training_data"]["decided_held_out"] == 24
    assert svc.get("/v1/model").json()["model_version"] == before["model_version"]  # a candidate is not served

    assert svc.post(f"/v1/models/{version}/promote", role="analyst").status_code == 403
    promoted = svc.post(f"/v1/models/{version}/promote", role="admin")
    if not comparison["passed"]:  # a worse candidate needs the explicit override
        assert promoted.status_code == 409 and promoted.json()["code"] == "model_worse"
        promoted = svc.post(f"/v1/models/{version}/promote", {"override": True}, role="admin")
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["status"] == "active" and promoted.json()["override"] is (not comparison["passed"])
    now = svc.get("/v1/model").json()
    assert now["model_version"] == version and now["components"] == before["components"]
    flagged = svc.submit(ABUSIVE, kelurahan="Benteng", kecamatan="Benteng")
    assert flagged["triage"]["model_version"] == version
    assert flagged["triage"]["flags"]["flagged"] and "abusive" in flagged["triage"]["flags"]["categories"]

    back = svc.post(f"/v1/models/{before['model_version']}/promote", role="admin")  # rollback: no override needed
    assert back.status_code == 200, back.text
    assert svc.get("/v1/model").json()["model_version"] == before["model_version"]
    again = svc.submit("Jalan poros desa rusak parah, mohon segera diaspal", kelurahan="Parak", kecamatan="Bontomanai")
    assert again["triage"]["model_version"] == before["model_version"]
    statuses = {m["version"]: m["status"] for m in svc.get("/v1/models", role="analyst").json()["items"]}
    assert statuses == {before["model_version"]: "active", version: "retired"}


def test_a_version_whose_artifacts_changed_is_not_promoted(service, tmp_path):
    from service import registry

    svc = service
    active = svc.get("/v1/model").json()["model_version"]
    copy = screened_copy(registry.get_row(svc.db, active).path, tmp_path / "copy", "reversed seed", reverse=True)
    other = registry.register_dir(svc.db, svc.app.state.settings, copy, registry.CANDIDATE, "test")
    artifact = next(registry.store_of(svc.app.state.settings).path(other).glob("router.joblib"))
    artifact.write_bytes(artifact.read_bytes() + b"x")
    r = svc.post(f"/v1/models/{other}/promote", role="admin")
    assert r.status_code == 409 and r.json()["code"] == "model_broken" and "sha256" in r.json()["detail"]
    assert svc.get("/v1/model").json()["model_version"] == active
    assert svc.post("/v1/models/no-such/promote", role="admin").status_code == 404
