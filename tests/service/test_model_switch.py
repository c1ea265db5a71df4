"""The model watcher follows every change of the registry's active version, including a rollback made through
another process right after a promote through this one, before this process's next poll."""

from __future__ import annotations

import shutil

import pytest
from fixtures.screening_data import tiny_training
from fixtures.service_app import Service, _migrated_sqlite, create_keys, start_service

from pipeline.screening import Screener
from pipeline.screening.training import add_screener


@pytest.fixture
def service(tmp_path, demo_model):
    url = _migrated_sqlite(tmp_path)
    app, client = start_service(url, demo_model, model_store_dir=tmp_path / "versions", model_poll_seconds=3600)
    with client:
        svc = Service(client=client, app=app, url=url)
        svc.keys = create_keys(app.state.db)
        yield svc


def test_a_rollback_elsewhere_right_after_a_local_promote_is_followed(service, tmp_path):
    from service import registry

    svc = service
    old = svc.get("/v1/model").json()["model_version"]
    other = tmp_path / "other"
    shutil.copytree(registry.get_row(svc.db, old).path, other)
    texts, labels = tiny_training()
    add_screener(other, Screener(cv=0, min_df=1).fit(texts, labels), {"training_data": {"file": "seed"}})
    new = registry.register_dir(svc.db, svc.app.state.settings, other, registry.CANDIDATE, "test")
    assert svc.post(f"/v1/models/{new}/promote", role="admin").status_code == 200
    assert svc.get("/v1/model").json()["model_version"] == new
    registry.promote(svc.db, old, "another process")  # the rollback, before this process's watcher polled again
    assert svc.app.state.model_watcher.check() is True
    assert svc.get("/v1/model").json()["model_version"] == old
