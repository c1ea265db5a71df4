"""``notebooks/compare_models.ipynb`` runs headless from a fresh clone and never scores on training data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "compare_models.ipynb"


def run_notebook(monkeypatch, shared: Path, **env) -> str:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("LAPOR_SHARED_DATA", str(shared))
    for key in ("LAPOR_COMPARE_A", "LAPOR_COMPARE_B", "LAPOR_COMPARE_HOLDOUT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts.append(out.get("text", "") or out.get("data", {}).get("text/plain", ""))
    return "\n".join(texts)


def _dates(out: str) -> tuple[str, str]:
    m = re.search(r"complaints up to (\d{4}-\d\d-\d\d), hold-out \d+ from (\d{4}-\d\d-\d\d)", out)
    assert m, out
    return m.group(1), m.group(2)


def test_runs_on_the_demo_data_without_shared_data(monkeypatch, tmp_path):
    out = run_notebook(monkeypatch, tmp_path / "no-shared-data")
    assert "demo tenant (Selayar): trained on" in out
    last_train, first_holdout = _dates(out)
    assert last_train <= first_holdout
    assert "top-1 accuracy" in out and "coverage at target precision" in out
    assert re.search(r"verdict: (\S+ wins|a tie)", out), out
    assert "warning:" not in out  # the hold-out is later than the training data of both models


@pytest.mark.real_data
def test_compares_on_a_later_surabaya_holdout(monkeypatch, surabaya_csv):
    out = run_notebook(monkeypatch, surabaya_csv.parents[1], LAPOR_COMPARE_MAX_TRAIN_ROWS="1500")
    assert "Surabaya 2022: trained on 1500 complaints" in out
    last_train, first_holdout = _dates(out)
    assert last_train <= first_holdout
    assert re.search(r"verdict: (\S+ wins|a tie)", out) and "warning:" not in out
