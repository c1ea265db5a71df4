"""The model watcher follows every change of the registry's active version, including a rollback made through
another process right after a promote through this one, before this process's next poll."""

from __future__ import annotations

import gc

import pytest
from fixtures.screening_data import screened_copy
from fixtures.service_app import sqlite_service


@pytest.fixture
def service(tmp_path, demo_model):
    with sqlite_service(tmp_path, demo_model, model_store_dir=tmp_path / "versions", model_poll_seconds=3600) as svc:
        yield svc


def test_a_rollback_elsewhere_right_after_a_local_promote_is_followed(service, tmp_path):
    from service import registry

    svc = service
    old = svc.get("/v1/model").json()["model_version"]
    other = screened_copy(registry.get_row(svc.db, old).path, tmp_path / "other")
    new = registry.register_dir(svc.db, svc.app.state.settings, other, registry.CANDIDATE, "test")
    assert svc.post(f"/v1/models/{new}/promote", role="admin").status_code == 200
    assert svc.get("/v1/model").json()["model_version"] == new
    registry.promote(svc.db, old, "another process")  # the rollback, before this process's watcher polled again
    assert svc.app.state.model_watcher.check() is True
    assert svc.get("/v1/model").json()["model_version"] == old


FIRE = {"name": "Dinas Pemadam Kebakaran", "aliases": ["Damkar"],
        "description": "Pemadam kebakaran: kebakaran rumah dan lahan, evakuasi sarang tawon."}


def test_the_units_watcher_takes_the_loaded_units_as_seen(service, monkeypatch):
    """A unit added elsewhere between start-up and the first poll is loaded by that poll; a unit added through
    this process (already reloaded) is not reloaded again by the next poll."""
    from service import model_switch, units

    svc = service
    reloads = []
    real = model_switch.refresh_tenant
    # this app's reloads only: a watcher thread of another test's server still polling calls the same function
    monkeypatch.setattr(model_switch, "refresh_tenant",
                        lambda app: (app is svc.app and reloads.append(1), real(app)))
    watcher = svc.app.state.model_watcher
    units.add_unit(svc.db, FIRE["name"], FIRE["description"], FIRE["aliases"], "", "another process")
    assert FIRE["name"] not in svc.app.state.tenant.units
    watcher.check()  # the first poll
    assert FIRE["name"] in svc.app.state.tenant.units and len(reloads) == 1
    watcher.check()
    assert len(reloads) == 1  # nothing changed since
    added = svc.post("/v1/units", {**FIRE, "name": "Dinas Penyelamatan"}, role="admin")
    assert added.status_code == 201, added.text
    assert "Dinas Penyelamatan" in svc.app.state.tenant.units
    watcher.check()
    assert len(reloads) == 1  # this process's own change was loaded when it was made


def _gazetteer_built(model) -> bool:
    return model.router.areas_._matcher is not None


def test_the_served_model_and_a_promoted_one_are_warmed_with_their_area_gazetteer(service, tmp_path):
    """No complaint pays spaCy's import and the area matcher's build (seconds while the recurring groups are
    restored beside it): the served model has them before /readyz says ready, a promoted one before it serves."""
    from service import registry

    svc = service
    assert "warmed up" in svc.client.get("/readyz").json()["checks"]["model"]
    assert _gazetteer_built(svc.app.state.triage.model)
    old = svc.get("/v1/model").json()["model_version"]
    other = screened_copy(registry.get_row(svc.db, old).path, tmp_path / "other")
    new = registry.register_dir(svc.db, svc.app.state.settings, other, registry.CANDIDATE, "test")
    assert svc.post(f"/v1/models/{new}/promote", role="admin").status_code == 200
    served = svc.app.state.triage.model
    assert served.version == new and _gazetteer_built(served)
    # and out of the cyclic collector's scans, as the model loaded at start-up is (full collections stay short)
    assert not any(o is served for o in gc.get_objects())


def test_each_start_of_an_app_stops_its_own_watcher_when_it_ends(tmp_path, demo_model):
    """A second lifespan on the same app object (schemathesis runs one, kept until the interpreter exits) replaces
    app.state's references: the first start must still stop the watcher it started, or it outlives its database
    (on PostgreSQL it logged, after the test run, that a dropped schema's tables were gone)."""
    from fastapi.testclient import TestClient

    with sqlite_service(tmp_path, demo_model, model_poll_seconds=3600) as svc:
        first = svc.app.state.model_watcher._thread
        again = TestClient(svc.app)
        again.__enter__()  # a second start on the same app, still running when the first ends
        second = svc.app.state.model_watcher._thread
        assert second is not first and first.is_alive() and second.is_alive()
    try:
        first.join(10)
        assert not first.is_alive() and second.is_alive()  # the first start stopped its own watcher only
    finally:
        again.__exit__(None, None, None)
    second.join(10)
    assert not second.is_alive()
