"""The one settings object: read when built (never at import), batch and server workers kept apart."""

from __future__ import annotations

from pathlib import Path

from pipeline.settings import Settings


def test_batch_and_server_workers_are_separate(monkeypatch):
    monkeypatch.setenv("LAPOR_WORKERS", "3")
    monkeypatch.setenv("LAPOR_SERVER_WORKERS", "2")
    s = Settings()
    assert (s.workers, s.server_workers) == (3, 2)
    monkeypatch.delenv("LAPOR_SERVER_WORKERS")
    assert Settings().server_workers == 1  # LAPOR_WORKERS no longer starts several web servers


def test_settings_are_read_when_built(monkeypatch):
    monkeypatch.setenv("LAPOR_MODEL_DIR", "/tmp/elsewhere")
    monkeypatch.setenv("LAPOR_SCREENING_DATA", "")
    monkeypatch.setenv("LAPOR_LOG_LEVEL", "debug")
    s = Settings.from_env()
    assert s.model_dir == Path("/tmp/elsewhere") and s.screening_data is None and s.log_level == "DEBUG"


def test_service_settings_are_the_same_object():
    from service.settings import ServiceSettings

    assert ServiceSettings is Settings
