"""Out-of-tenant input is never auto-routed: the decision of the triage core, per complaint and per input."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.model import TriageModel
from pipeline.routing.fit import TenantFit
from pipeline.triage import Triage, TriageItem
from pipeline.triage.core import MIN_INPUT_ROWS, out_of_tenant
from pipeline.triage.records import batch_record

CONFIDENT = ("Pedagang pasar buang sisa ikan & sampah ke laut malam hari, pagi2 pantai bau dan penuh lalat. "
             "Mohon diawasi.")


@pytest.fixture(scope="module")
def model(demo_model) -> TriageModel:
    return TriageModel.load(demo_model)


def test_rule_per_complaint_and_per_input():
    known = TenantFit(True, 0.2)
    assert out_of_tenant([known]) == [False]  # a known area is never foreign, however odd the words
    assert out_of_tenant([TenantFit(False, 0.4)]) == [True]
    assert out_of_tenant([TenantFit(False, 0.6)]) == [False]  # alone, 60 % known words is not enough to say
    assert out_of_tenant([TenantFit(None, 0.4)]) == [True]
    big = [TenantFit(False, 0.6)] * MIN_INPUT_ROWS
    assert out_of_tenant(big) == [True] * MIN_INPUT_ROWS  # a whole input that does not fit: every such row
    fitting = [TenantFit(False, 0.8)] * MIN_INPUT_ROWS
    assert out_of_tenant(fitting) == [False] * MIN_INPUT_ROWS
    mostly_known = [TenantFit(True, 0.6)] * MIN_INPUT_ROWS + [TenantFit(False, 0.6)]
    assert out_of_tenant(mostly_known) == [False] * len(mostly_known)
    assert out_of_tenant([]) == []


def test_foreign_rows_are_not_auto_routed_and_say_why(model):
    triage = Triage.from_model(model)
    home = triage.run([TriageItem(CONFIDENT, "Benteng Utara", "Benteng")])[0]
    assert home.routing.auto_route, "the demo model should auto-route this complaint at home"
    assert not home.routing.out_of_tenant
    items = [TriageItem(CONFIDENT, "Jemur Wonosari", "Wonocolo")] + [
        TriageItem("Saluran tepi jalan mampet depan restorant, trotoar pecah dilalui kenderaan", "Pradah Kali Kendal",
                   "Dukuh Pakis")] * (MIN_INPUT_ROWS - 1)
    results = triage.run(items)
    first = results[0]
    assert first.routing.auto_route is False
    assert "Di luar wilayah model: wilayah 'Jemur Wonosari'" in first.routing.explanation
    record = batch_record(first)
    assert record["out_of_tenant"] is True and record["auto_route"] is False
    assert all(r.routing.auto_route is False for r in results)


@pytest.mark.real_data
def test_demo_model_on_surabaya_auto_routes_nothing(model, surabaya_csv, demo_dir):
    """The issue's finding: the demo model auto-routed Surabaya complaints to Selayar units at 42 % precision."""
    df = pd.read_csv(surabaya_csv, nrows=2000).fillna("")
    items = [TriageItem(t, kel, kec) for t, kel, kec in zip(df["text"], df["kelurahan"], df["kecamatan"])]
    triage = Triage.from_model(model)
    routed_before = sum(r.auto_route for r in model.router.route(df[["text", "kelurahan", "kecamatan"]],
                                                                 explain=False))
    assert routed_before > 100, "without the check the demo model auto-routes Surabaya complaints"
    results = triage.run(items)
    assert sum(r.routing.auto_route for r in results) == 0
    assert sum(bool(r.routing.out_of_tenant) for r in results) >= 0.95 * len(results)
    backlog = pd.read_csv(demo_dir / "backlog.csv").fillna("")
    home = triage.run([TriageItem(t, kel, kec) for t, kel, kec in
                       zip(backlog["text"], backlog["kelurahan"], backlog["kecamatan"])])
    assert not any(r.routing.out_of_tenant for r in home)
