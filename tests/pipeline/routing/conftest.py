"""A demo-tenant router shared by the adaptive-routing tests (trained once per module session)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.model import TriageModel


@pytest.fixture(scope="session")
def demo_router(demo_model):
    return TriageModel.load(demo_model).router


@pytest.fixture(scope="session")
def demo_complaints(demo_dir) -> pd.DataFrame:
    return pd.read_csv(demo_dir / "complaints.csv", dtype=str, keep_default_na=False)
