"""Shared fixtures: the demo tenant, the real data in ../shared/data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

# fixtures shared by the service and console suites, as plugins (not star imports)
pytest_plugins = ("fixtures.service_app", "fixtures.console_app")

from fixtures.real_data import shared_file  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "pipeline" / "tenants" / "selayar"


@pytest.fixture(scope="session")
def surabaya_csv() -> Path:
    return shared_file("surabaya/complaints_2022.csv")


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def demo_model(tmp_path_factory) -> Path:
    """The demo tenant's router, trained once per test session."""
    from pipeline.columns import InputColumns
    from pipeline.routing.training import train_router

    out = tmp_path_factory.mktemp("models") / "demo"
    train_router(DEMO / "complaints.csv", out, InputColumns(label="opd"), gazetteer=DEMO / "areas.csv",
                 units=DEMO / "units.csv", tenant="selayar")
    return out


@pytest.fixture(scope="session")
def screened_model(demo_model, tmp_path_factory) -> Path:
    """The demo router with the tiny screener: the two-component bundle a retrain or a promote must keep whole.
    Shared by the session: read it, copy it to change it (``fixtures.screening_data.screened_copy``)."""
    from fixtures.screening_data import screened_copy

    return screened_copy(demo_model, tmp_path_factory.mktemp("models") / "screened")


@pytest.fixture(scope="session")
def demo_router(demo_model):
    """The demo tenant's fitted router (adaptive-routing tests wrap it)."""
    from pipeline.model import TriageModel

    return TriageModel.load(demo_model).router


@pytest.fixture(scope="session")
def demo_complaints(demo_dir):
    import pandas as pd

    return pd.read_csv(demo_dir / "complaints.csv", dtype=str, keep_default_na=False)
