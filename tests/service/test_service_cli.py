"""Service commands a deployer runs: migrate, seed the demo, create keys."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from pipeline.cli import main


def test_seed_demo_stores_triaged_complaints_once(tmp_path, demo_model, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    monkeypatch.setenv("LAPOR_DATABASE_URL", url)
    monkeypatch.setenv("LAPOR_MODEL_DIR", str(demo_model))
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "seed-demo", "--count", "5"]) == 0
    assert main(["db", "seed-demo", "--count", "5"]) == 0
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaints")).scalar() == 5
        assert conn.execute(text("SELECT count(*) FROM triage_results")).scalar() == 5
        channels = {r[0] for r in conn.execute(text("SELECT channel FROM complaints"))}
    engine.dispose()
    assert channels == {"demo"}
    assert "0 stored and triaged, 5 already present" in capsys.readouterr().err


def test_keys_create_prints_the_key_alone_on_the_last_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LAPOR_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["keys", "create", "--role", "operator", "--name", "loket 1"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(last) >= 32 and " " not in last
