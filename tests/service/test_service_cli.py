"""Service commands a deployer runs: migrate, seed the demo, create keys."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from pipeline.cli import main


def test_seed_demo_stores_triaged_complaints_once(tmp_path, demo_model, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    monkeypatch.setenv("LAPOR_DATABASE_URL", url)
    monkeypatch.setenv("LAPOR_MODEL_DIR", str(demo_model))
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "seed-demo", "--count", "5", "--history", "0"]) == 0
    assert main(["db", "seed-demo", "--count", "5", "--history", "0"]) == 0
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


def test_seed_demo_keeps_dates_and_answers_a_year_of_history(tmp_path, demo_model, monkeypatch):
    url = f"sqlite:///{tmp_path / 'year.db'}"
    monkeypatch.setenv("LAPOR_DATABASE_URL", url)
    monkeypatch.setenv("LAPOR_MODEL_DIR", str(demo_model))
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "seed-demo", "--count", "3"]) == 0
    engine = create_engine(url)
    with engine.connect() as conn:
        months = conn.execute(text(
            "SELECT strftime('%Y-%m', reported_at, '+8 hours') AS m, count(*), count(responded_at), "
            "avg(julianday(responded_at) - julianday(reported_at)) FROM complaints "
            "WHERE reported_at < '2025-12-31 16:00' GROUP BY m ORDER BY m")).all()  # WITA year 2025
        backlog = conn.execute(text("SELECT min(reported_at) FROM complaints WHERE reported_at >= '2026-01-01'")).scalar()
        answers = conn.execute(text("SELECT count(*) FROM responses")).scalar()
    engine.dispose()
    assert [m for m, *_ in months] == [f"2025-{k:02d}" for k in range(1, 13)]  # a year, by submission month
    assert all(n == answered for _, n, answered, _ in months) and answers >= sum(n for _, n, _, _ in months)
    assert months[-1][3] < months[0][3] / 2  # response time falls over the year
    assert backlog.startswith("2026-01-01 23:26:01")  # BL-001 2026-01-02 07:26:01 WITA, stored in UTC
