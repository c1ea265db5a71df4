"""The handling-policy page (*Kebijakan*) in real headless Chromium: an admin adds a rule, sees it listed, the
rule names itself in the explanation of the next complaint triaged through the console, and once disabled it
no longer does.

Its own live server (no demo seed): a rule added here must not reach the other browser suites' complaints.
Skipped, saying why, when /usr/bin/chromium or the ``playwright`` package is missing.
"""

from __future__ import annotations

import re

import pytest

from fixtures.console_app import ARTIFACTS, browser_or_skip, live_server, log_in
from test_console_browser import TABLES_OVER_THEIR_CARD

playwright_api = browser_or_skip()

LIGHTS = "Lampu jalan (PJU) di depan rumah kami mati sudah dua minggu, gelap sekali. Mohon diperbaiki."
REASON = "PJU lingkungan ditangani kelurahan"


@pytest.fixture(scope="module")
def live(demo_model, tmp_path_factory):
    with live_server(demo_model, tmp_path_factory.mktemp("policy-console"), seed_demo=False) as server:
        yield server


def triage_in_console(page, base: str, n: int) -> str:
    """Files a street-light complaint in Bontobangun through the console's intake page; its explanation."""
    page.goto(f"{base}/lapor")
    page.get_by_label("Teks pengaduan").fill(LIGHTS + " Tolong." * n)  # distinct texts: no duplicate links
    page.get_by_label("Kecamatan").fill("Bontoharu")
    page.get_by_label("Kelurahan/desa").fill("Bontobangun")
    page.get_by_role("button", name="Simpan dan triase").click()
    page.wait_for_load_state()
    playwright_api.expect(page.locator("#h-hasil + p a")).to_contain_text("Pengaduan #")
    return page.locator("p.penjelasan").inner_text()


def test_admin_adds_a_rule_sees_it_in_the_explanation_and_disables_it(live, browser):
    expect = playwright_api.expect
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live.url, live.keys["admin"])

    page.goto(f"{live.url}/kebijakan")
    expect(page.get_by_role("heading", name="Kebijakan penanganan")).to_be_visible()
    expect(page.get_by_text("Belum ada aturan.", exact=False)).to_be_visible()
    assert "kebijakan penanganan" not in triage_in_console(page, live.url, 1)

    page.goto(f"{live.url}/kebijakan")
    page.get_by_label("Kata kunci (pisahkan dengan |; kosong: semua topik)").fill("lampu jalan|pju")
    page.get_by_label("Kelurahan (kosong: semua)").fill("Bontobangun")
    page.get_by_label("Disposisi ke").first.fill("kelurahan")
    page.get_by_label("Alasan yang ditampilkan ke operator").fill(REASON)
    page.get_by_role("button", name="Tambah aturan").click()
    page.wait_for_load_state()
    added = page.get_by_text(re.compile(r"Aturan #\d+ ditambahkan")).first
    expect(added).to_be_visible()
    rule = re.search(r"Aturan #(\d+) ditambahkan", added.inner_text()).group(1)
    row = page.locator(f"tr#aturan-{rule}")
    expect(row).to_contain_text("berlaku")
    expect(row.get_by_label(f"Kelurahan aturan #{rule}")).to_have_value("Bontobangun")
    expect(row.get_by_label(f"Alasan aturan #{rule}")).to_have_value(REASON)
    page.screenshot(path=str(ARTIFACTS / "kebijakan-aturan.png"), full_page=True)
    assert page.evaluate(TABLES_OVER_THEIR_CARD) == []  # the row of inputs fits its card
    history = page.locator(".daftar-riwayat li").first
    expect(history).to_contain_text(f"Aturan #{rule} dibuat")
    assert re.search(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2} WIT", history.inner_text()), history.inner_text()

    ruled = triage_in_console(page, live.url, 2)
    assert f"kebijakan penanganan: {REASON} (aturan #{rule})" in ruled
    expect(page.locator(".saran li").first).to_contain_text("Kelurahan Bontobangun")

    page.goto(f"{live.url}/kebijakan")
    page.get_by_role("button", name=f"Nonaktifkan aturan #{rule}").click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"Aturan #{rule} dinonaktifkan").first).to_be_visible()
    expect(page.locator(f"tr#aturan-{rule}")).to_contain_text("nonaktif")
    expect(page.get_by_role("button", name=f"Aktifkan aturan #{rule}")).to_be_visible()

    after = triage_in_console(page, live.url, 3)
    assert f"aturan #{rule}" not in after and "kebijakan penanganan" not in after
    assert not errors, errors
    ctx.close()
