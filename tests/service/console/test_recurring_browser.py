""""Masalah berulang" and the detail-page hint in real headless Chromium (as test_console_browser.py does).

A server of its own (fresh SQLite database, the demo model) receives the recurring-problem scenario through
the API; the operator finds the problem on /berulang, filters, opens one of its complaints and reads
"Laporan ke-3 tentang masalah ini sejak Agustus". Screenshots go to ``test-artifacts/console/``.
"""

from __future__ import annotations

import httpx
import pytest

from fixtures.console_app import ARTIFACTS, browser_or_skip, live_server, log_in
from fixtures.recurring import DRAIN, KEC, OTHERS

browser_or_skip()


@pytest.fixture(scope="module")
def live(demo_model, tmp_path_factory):
    with live_server(demo_model, tmp_path_factory.mktemp("recurring-console"), seed_demo=False) as server:
        ids = {}
        with httpx.Client(base_url=server.url, timeout=30, headers=server.auth("operator")) as client:
            for key, when, text, kel, addr in sorted(DRAIN + OTHERS, key=lambda r: r[1]):
                r = client.post("/v1/complaints", json={"text": text, "kelurahan": kel, "kecamatan": KEC,
                                                        "address": addr or None,
                                                        "submitted_at": when.replace(" ", "T") + ":00+08:00"})
                assert r.status_code == 201, r.text
                ids[key] = r.json()["id"]
        server.ids = ids
        yield server


@pytest.mark.parametrize("role", ["operator", "analyst"])
def test_recurring_page_filters_and_detail_hint(live, browser, role):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live.url, live.keys[role])
    page.get_by_role("link", name="Masalah berulang").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Masalah berulang").is_visible()
    # the period of the scenario
    page.get_by_label("Dari").fill("2024-07-01")
    page.get_by_label("Sampai").fill("2024-11-30")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_load_state()
    row = page.locator(f'tr[data-group="{live.ids["d1"]}"]')
    assert row.count() == 1 and row.get_attribute("data-size") == "5"
    assert "Kenanga" in row.inner_text() and row.locator(".label-masalah").inner_text().strip() not in ("", "–")
    linked = {int(a.inner_text().lstrip("#")) for a in row.locator("a").all()}
    assert linked == {live.ids[k] for k, *_ in DRAIN}
    page.screenshot(path=str(ARTIFACTS / f"berulang-{role}.png"), full_page=True)
    # another kecamatan: nothing, said in words
    page.get_by_label("Kecamatan").fill("Kecamatan Lain")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_load_state()
    assert page.locator("#berulang-kosong").is_visible() and page.locator("tr[data-group]").count() == 0
    # the third report's detail page says where it stands
    page.goto(f"{live.url}/pengaduan/{live.ids['d3']}")
    hint = page.locator("#masalah-berulang")
    assert hint.is_visible()
    assert "Laporan ke-3 tentang masalah ini sejak Agustus" in hint.inner_text()
    hint.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.locator(f'tr[data-group="{live.ids["d1"]}"]').count() == 1
    # an unrelated complaint carries no such hint
    page.goto(f"{live.url}/pengaduan/{live.ids['o4']}")
    assert page.locator("#masalah-berulang").count() == 0
    assert not errors, errors
    ctx.close()
