"""A model shipped to a worker is verified by sha256 there before anything is loaded."""

from __future__ import annotations

import hashlib

import pytest

from pipeline.engines import shipping
from pipeline.engines.shipping import ModelFiles, materialise
from pipeline.errors import ArtifactError


def test_shipped_model_is_verified_before_loading(tmp_path, demo_model):
    files = ModelFiles.read(demo_model)
    assert files.digest == hashlib.sha256((demo_model / "manifest.json").read_bytes()).hexdigest()
    target = materialise(files, tmp_path / "w1")
    assert (target / "manifest.json").read_bytes() == files.files["manifest.json"]

    artifact = next(n for n in files.files if n.endswith(".joblib"))
    tampered = ModelFiles("0" * 64, dict(files.files))
    with pytest.raises(ArtifactError, match="does not match"):
        materialise(tampered, tmp_path / "w2")
    bad = dict(files.files)
    bad[artifact] = bad[artifact][:-1] + bytes([bad[artifact][-1] ^ 1])
    forged = ModelFiles(files.digest, bad)
    shipping._LOADED.pop(files.digest, None)  # a fresh worker process
    with pytest.raises(ArtifactError, match="sha256 mismatch"):
        materialise(forged, tmp_path / "w3")
