"""Every figure the dashboard shows is the figure of ``GET /v1/stats`` with the same period and range, on SQLite
and PostgreSQL: the totals, the complaints per period, the table per OPD, time to route and to answer per OPD
and the trend per period (the dashboard computes without the percentiles per period and OPD it does not show)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone

import pytest

from fixtures.stats_history import WITA, operator_history

CELL = re.compile(r'data-(?:key|stat)="([^"]+)" data-value="([^"]*)"')


def shown(value) -> str:
    """A value as the template writes it into ``data-value`` (empty for none)."""
    return "" if value is None else str(value)


def table_rows(page: str, table_id: str) -> list[tuple[str | None, dict[str, str]]]:
    """(data-opd or None, {data-key: data-value}) of each body row of a table of the page."""
    start = page.index(f'id="{table_id}"')
    body = page[page.index("<tbody>", start):page.index("</tbody>", start)]
    out = []
    for row in re.findall(r"<tr(.*?)</tr>", body):
        opd = re.match(r' data-opd="([^"]*)"', row)
        out.append((opd and opd.group(1), dict(CELL.findall(row))))
    return out


def login(svc, role: str = "analyst") -> None:
    page = svc.client.get("/masuk").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = svc.client.post("/masuk", data={"kunci": svc.keys[role], "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text


def assert_dashboard_shows(page: str, stats: dict) -> None:
    totals = dict(CELL.findall(page[page.index('class="kpi"'):page.index("</ul>", page.index('class="kpi"'))]))
    assert totals == {k: shown(stats["totals"][k]) for k in totals} and len(totals) == 5
    per_period: dict[str, int] = defaultdict(int)
    for p in stats["periods"]:
        per_period[p["period_start"]] += p["received"]
    table = page[page.index('id="tabel-periode"'):page.index("</table>", page.index('id="tabel-periode"'))]
    assert re.findall(r'<td class="angka" data-value="(\d+)">', table) == [str(n) for _, n in
                                                                         sorted(per_period.items())]
    by_opd = {r["opd"]: r for r in stats["per_opd"]}
    opd_rows = table_rows(page, "tabel-opd")
    assert sorted(opd for opd, _ in opd_rows) == sorted(by_opd)
    for opd, cells in opd_rows:
        assert cells == {k: shown(by_opd[opd][k]) for k in ("received", "routed", "responded",
                                                            "disposed_within_deadline", "answered_within_deadline")}
    for table, measure in (("tabel-rute", "time_to_route"), ("tabel-tanggapan", "time_to_response")):
        keys = (f"{measure}_median_s", f"{measure}_p90_s")
        expected = {o: {k: shown(r[k]) for k in keys} for o, r in by_opd.items() if r[keys[0]] is not None}
        assert dict(table_rows(page, table)) == expected
    trend = [cells for _, cells in table_rows(page, "tabel-tren")]
    assert trend == [{k: shown(t[k]) for k in ("received", "time_to_response_median_s", "time_to_response_p90_s",
                                                "answered_within_deadline")} for t in stats["trend"]]


@pytest.mark.parametrize("period", ["week", "month", "day"])
def test_dashboard_figures_equal_v1_stats(svc, period):
    operator_history(svc)
    login(svc)
    first = (datetime.now(timezone.utc) - timedelta(days=40)).astimezone(WITA).date()
    last = first + timedelta(days=24)
    midnight = [datetime.combine(day, time(0), WITA).isoformat() for day in (first, last + timedelta(days=1))]
    for dashboard, api in (({}, {}), ({"dari": first.isoformat(), "sampai": last.isoformat()},
                                      {"date_from": midnight[0], "date_to": midnight[1]})):
        page = svc.client.get("/dasbor", params={"periode": period, **dashboard})
        stats = svc.get("/v1/stats", role="analyst", params={"period": period, **api})
        assert page.status_code == 200 and stats.status_code == 200, stats.text
        stats = stats.json()
        assert stats["trend"] and any(r["time_to_response_median_s"] is not None for r in stats["per_opd"])
        assert_dashboard_shows(page.text, stats)
