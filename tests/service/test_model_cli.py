"""``lapor-triage models list|retrain|promote``: the registry from the command line, on a seeded demo database."""

from __future__ import annotations

import json

from pipeline.cli import main


def test_models_list_retrain_promote_and_roll_back(tmp_path, demo_model, monkeypatch, capsys):
    monkeypatch.setenv("LAPOR_DATABASE_URL", f"sqlite:///{tmp_path / 'models.db'}")
    monkeypatch.setenv("LAPOR_MODEL_DIR", str(demo_model))
    monkeypatch.setenv("LAPOR_MODEL_STORE_DIR", str(tmp_path / "versions"))
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "seed-demo", "--count", "0", "--history", "80"]) == 0  # history: decided by an operator
    capsys.readouterr()
    assert main(["models", "list"]) == 0
    (first,) = json.loads(capsys.readouterr().out)
    assert first["status"] == "active" and (tmp_path / "versions" / first["version"] / "manifest.json").is_file()

    assert main(["models", "retrain"]) == 0
    out = capsys.readouterr()
    candidate = json.loads(out.out)
    assert candidate["status"] == "candidate" and candidate["parent_version"] == first["version"]
    comparison = candidate["metrics"]["comparison"]
    assert comparison["holdout"]["n"] >= 5 and comparison["candidate"]["top1_accuracy"] is not None
    assert candidate["training_data"]["base_rows_replaced_by_decisions"] > 0  # the seeded history is the base data

    if not comparison["passed"]:
        assert "needs --override" in out.err
        assert main(["models", "promote", candidate["version"]]) != 0
        assert "override" in capsys.readouterr().err
    assert main(["models", "promote", candidate["version"], "--override"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "active"
    assert main(["models", "promote", first["version"]]) == 0  # rollback
    capsys.readouterr()
    assert main(["models", "list"]) == 0
    statuses = {m["version"]: m["status"] for m in json.loads(capsys.readouterr().out)}
    assert statuses == {first["version"]: "active", candidate["version"]: "retired"}
    assert main(["models", "promote", "no-such-version"]) != 0
    assert "tidak ditemukan" in capsys.readouterr().err
