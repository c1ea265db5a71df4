"""A retrain keeps every component of the active bundle and says so: a carried-over screener is named with its own
version (the one it was trained in, across generations), its parent's sha256 and why it was not retrained; a
component is only dropped on purpose, with the reason."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.lifecycle.retrain import load_base, retrain


@pytest.fixture
def bundle(screened_model):
    """The active bundle: the demo router with a screener (session-wide; a retrain only reads it)."""
    return screened_model


def test_the_screener_is_carried_over_with_its_own_version_across_generations(bundle, demo_dir, tmp_path):
    base = load_base(demo_dir / "complaints.csv")
    none = pd.DataFrame(columns=["text", "opd"])
    origin = json.loads((bundle / "manifest.json").read_text())
    first = retrain(base, none, tmp_path / "v1", active_dir=bundle, version="v1").manifest
    screener = first["carried_over"]["screener"]
    assert screener["trained_in"] == screener["from_version"] == origin["model_version"]
    assert screener["parent_sha256"] == origin["artifacts"]["screener"]["sha256"]
    assert "not retrained" in screener["reason"] and first["component_versions"] == {
        "screener": origin["model_version"]}
    second = retrain(base, none, tmp_path / "v2", active_dir=tmp_path / "v1", version="v2").manifest
    assert second["carried_over"]["screener"]["from_version"] == "v1"
    assert second["carried_over"]["screener"]["trained_in"] == origin["model_version"]  # still the original one
    assert second["components"] == {"router": "retrained", "screener": "carried over from v1"}


def test_a_dropped_component_says_why_and_is_not_carried(bundle, demo_dir, tmp_path):
    base = load_base(demo_dir / "complaints.csv")
    out = retrain(base, pd.DataFrame(columns=["text", "opd"]), tmp_path / "v", active_dir=bundle, version="v",
                  drop={"screener": "diganti penyaring baru"}).manifest
    assert out["components"] == {"router": "retrained"} and out["carried_over"] == {}
    assert out["dropped_components"] == [{"name": "screener", "reason": "diganti penyaring baru"}]
