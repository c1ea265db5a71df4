"""Model directories: nothing is unpickled unless the manifest vouches for it."""

from __future__ import annotations

import json
import shutil

import joblib
import numpy as np
import pytest

from pipeline.artifacts import load_bundle, save_bundle, verify_bundle
from pipeline.errors import ArtifactError


@pytest.fixture
def bundle(tmp_path):
    out = tmp_path / "m"
    save_bundle(out, {"router": {"weights": [1, 2, 3]}}, {"kind": "router"})
    return out


def test_round_trip_and_manifest(bundle):
    components, manifest = load_bundle(bundle)
    assert components["router"] == {"weights": [1, 2, 3]}
    assert manifest["kind"] == "router" and manifest["model_version"]
    assert manifest["libraries"]["scikit-learn"] and len(manifest["artifacts"]["router"]["sha256"]) == 64


def test_missing_artifact_is_refused(bundle):
    (bundle / "router.joblib").unlink()
    with pytest.raises(ArtifactError, match="artifact 'router' is missing"):
        verify_bundle(bundle)


def test_unlisted_artifact_is_refused(bundle):
    joblib.dump({"evil": True}, bundle / "extra.joblib")
    with pytest.raises(ArtifactError, match="unlisted artifact"):
        load_bundle(bundle)


def test_other_scikit_learn_minor_version_is_refused(bundle):
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["libraries"]["scikit-learn"] = "0.1.0"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="retrain the model"):
        verify_bundle(bundle)


def test_artifact_path_outside_the_directory_is_refused(bundle, tmp_path):
    shutil.move(bundle / "router.joblib", tmp_path / "outside.joblib")
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["artifacts"]["router"]["file"] = "../outside.joblib"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="outside the model directory"):
        load_bundle(bundle)


def test_replacing_a_model_directory_is_atomic_and_keeps_the_new_version(bundle):
    first = json.loads((bundle / "manifest.json").read_text())["model_version"]
    save_bundle(bundle, {"router": {"weights": [4]}}, {"kind": "router"})
    second = json.loads((bundle / "manifest.json").read_text())["model_version"]
    assert first != second
    assert not [p for p in bundle.parent.iterdir() if p.name.startswith(".")]  # no staging leftovers


def test_a_model_is_loaded_once_per_process(bundle):
    first, _ = load_bundle(bundle)
    again, _ = load_bundle(bundle)
    assert again["router"] is first["router"]


@pytest.mark.parametrize("edit, message", [
    (lambda m: m["artifacts"]["router"].pop("sha256"), "has no valid 'sha256'"),
    (lambda m: m["artifacts"]["router"].update(sha256="abc"), "has no valid 'sha256'"),
    (lambda m: m["artifacts"].update(router="router.joblib"), "has no 'file'"),
    (lambda m: m.pop("model_version"), "no 'model_version'"),
])
def test_a_broken_manifest_is_one_clear_error_not_a_traceback(bundle, edit, message):
    manifest = json.loads((bundle / "manifest.json").read_text())
    edit(manifest)
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=message):
        load_bundle(bundle)


def test_with_a_signing_key_only_manifests_signed_with_it_load(tmp_path, monkeypatch):
    unsigned = tmp_path / "unsigned"
    save_bundle(unsigned, {"router": {"w": 1}}, {"kind": "router"})
    monkeypatch.setenv("LAPOR_MODEL_SIGNING_KEY", "rahasia-daerah")
    signed = tmp_path / "signed"
    save_bundle(signed, {"router": {"w": 2}}, {"kind": "router"})
    assert load_bundle(signed)[0]["router"] == {"w": 2}

    loads = []
    monkeypatch.setattr(joblib, "load", lambda *a, **k: loads.append(a))
    with pytest.raises(ArtifactError, match="not signed"):
        load_bundle(unsigned)
    manifest = json.loads((signed / "manifest.json").read_text())
    manifest["threshold"] = 0.01  # any change to what the signature covers
    (signed / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="signature does not match"):
        load_bundle(signed)
    monkeypatch.setenv("LAPOR_MODEL_SIGNING_KEY", "another-key")
    with pytest.raises(ArtifactError, match="signature does not match"):
        verify_bundle(tmp_path / "signed")
    assert loads == []  # refused before anything was unpickled


def test_model_directories_follow_the_umask(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        save_bundle(tmp_path / "m", {"router": {"w": 1}}, {"kind": "router"})
    finally:
        os.umask(old)
    assert (tmp_path / "m").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "m" / "router.joblib").stat().st_mode & 0o777 == 0o644


def test_artifacts_load_through_the_c_unpickler_and_plain_joblib_ones_still_load(tmp_path, monkeypatch):
    import pickle

    from pipeline import artifacts

    obj = {"vocabulary": {f"w{i}": i for i in range(1000)}, "weights": np.arange(5.0)}
    calls = []
    real = pickle.loads
    monkeypatch.setattr(artifacts.pickle, "loads", lambda data: calls.append(len(data)) or real(data))
    save_bundle(tmp_path / "new", {"router": obj}, {"kind": "test"})
    loaded, _ = load_bundle(tmp_path / "new")
    assert calls and loaded["router"]["vocabulary"] == obj["vocabulary"]
    assert np.array_equal(loaded["router"]["weights"], obj["weights"])
    monkeypatch.setattr(artifacts, "_Packed", lambda o: o)  # an artifact written before the packing
    save_bundle(tmp_path / "old", {"router": obj}, {"kind": "test"})
    calls.clear()
    old, _ = load_bundle(tmp_path / "old")
    assert not calls and old["router"]["vocabulary"] == obj["vocabulary"]
