"""Shared fixtures: the demo tenant, the real data in ../shared/data (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# fixtures shared by the service and console suites, as plugins (not star imports)
pytest_plugins = ("fixtures.service_app", "fixtures.console_app")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LAPOR_SHARED_DATA", REPO.parent / "shared" / "data"))
DEMO = REPO / "pipeline" / "tenants" / "selayar"


def shared_file(relative: str) -> Path:
    """A file from ../shared/data, or skip the test saying what is missing and where it was looked for."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.skip(f"real data not available: {path} is missing (set LAPOR_SHARED_DATA to the shared data folder)")
    return path


@pytest.fixture(scope="session")
def surabaya_csv() -> Path:
    return shared_file("surabaya/complaints_2022.csv")


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def demo_model(tmp_path_factory) -> Path:
    """The demo tenant's router, trained once per test session."""
    from pipeline.io import InputColumns
    from pipeline.routing.training import train_router

    out = tmp_path_factory.mktemp("models") / "demo"
    train_router(DEMO / "complaints.csv", out, InputColumns(label="opd"), gazetteer=DEMO / "areas.csv",
                 units=DEMO / "units.csv", tenant="selayar")
    return out
