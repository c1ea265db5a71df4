"""``build-default`` — the ``make run`` path: build the demo model once, reuse it, rebuild a broken one."""

from __future__ import annotations

import json

from pipeline.cli import main
from pipeline.model import TriageModel
from pipeline.settings import Settings


def test_build_default_builds_once_and_rebuilds_a_damaged_model(tmp_path, monkeypatch, capsys):
    model_dir = tmp_path / "models" / "default"
    monkeypatch.setenv("LAPOR_MODEL_DIR", str(model_dir))
    monkeypatch.delenv("LAPOR_SCREENING_DATA", raising=False)
    assert Settings().model_dir == model_dir

    assert main(["build-default"]) == 0
    assert capsys.readouterr().out.strip() == str(model_dir)
    model = TriageModel.load(model_dir)  # verified: every artifact's sha256 matches the manifest
    assert model.screener is not None and model.manifest["tenant"] == "selayar"
    assert model.route(__import__("pandas").DataFrame({"text": ["air pdam mati tiga hari"]}))[0].opd
    first = json.loads((model_dir / "manifest.json").read_text())

    assert main(["build-default"]) == 0  # a valid model is kept as it is
    assert json.loads((model_dir / "manifest.json").read_text()) == first

    manifest = model_dir / "manifest.json"  # (a damaged artifact is refused at load: tests/test_artifacts.py)
    manifest.write_text(manifest.read_text()[:40])  # torn, e.g. by a full disk
    assert main(["build-default"]) == 0
    assert "rebuilding" in capsys.readouterr().err
    rebuilt = json.loads((model_dir / "manifest.json").read_text())
    assert rebuilt["model_version"] != first["model_version"]
    TriageModel.load(model_dir)

    assert main(["build-default", "--force"]) == 0
    assert json.loads((model_dir / "manifest.json").read_text())["model_version"] != rebuilt["model_version"]
