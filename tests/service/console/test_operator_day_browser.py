"""The operator's day in real headless Chromium: search, claim, dispose to two OPDs, record the OPD's answer,
forward (bukan wewenang), unmerge, and the dashboard for a date range — each checked against the API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from fixtures.console_app import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_or_skip

playwright_api = browser_or_skip()
expect = playwright_api.expect

WITA = ZoneInfo("Asia/Makassar")
LEAD, CO = "Dinas Perhubungan", "Dinas Pekerjaan Umum dan Penataan Ruang"
PLN = "PT PLN (Persero) ULP Selayar"


def api(live, method: str, path: str, role: str = "operator", **kw):
    r = httpx.request(method, f"{live.url}{path}", headers=live.auth(role), timeout=30, **kw)
    assert r.status_code in (200, 201), r.text
    return r.json()


@pytest.fixture(scope="module")
def page(live_console):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(f"{live_console.url}/masuk")
        pg.get_by_label("Kunci API").fill(live_console.keys["operator"])
        pg.get_by_role("button", name="Masuk").click()
        pg.wait_for_load_state()
        yield pg
        assert errors == []
        browser.close()


def test_operators_day(live_console, page):
    live = live_console
    a = api(live, "POST", "/v1/complaints", json={
        "text": "Lampu mercusuar di dermaga Benteng padam sejak Senin, kapal nelayan kesulitan masuk malam hari.",
        "kecamatan": "Benteng", "kelurahan": "Benteng"})
    b = api(live, "POST", "/v1/complaints", json={"text": "Mercusuar dermaga Benteng masih padam, tolong dicek."})

    # search: the list finds both by one word, and nothing else
    page.goto(f"{live.url}/daftar")
    page.get_by_label("Cari").fill("mercusuar")
    page.locator("#tombol-cari").click()
    rows = page.locator("#tabel-daftar tbody tr")
    expect(rows).to_have_count(2)
    assert sorted(int(x) for x in rows.evaluate_all("els => els.map(e => e.dataset.id)")) == [a["id"], b["id"]]
    page.screenshot(path=str(ARTIFACTS / "20-daftar-cari.png"), full_page=True)

    # claim
    page.locator(f'#tabel-daftar a.tautan-no[href="/pengaduan/{a["id"]}"]').click()
    page.locator("#tombol-ambil").click()
    expect(page.locator("#penangan")).to_have_text("test-operator")
    assert api(live, "GET", f"/v1/complaints/{a['id']}")["assignee"] == "test-operator"

    # dispose to a lead and a co-handling OPD
    page.locator("#opd-tujuan").fill(LEAD)
    page.locator("#opd-pendamping-1").fill(CO)
    page.get_by_role("button", name="Disposisikan").click()
    expect(page.locator(".pesan-ok")).to_contain_text(f"Pengaduan #{a['id']} didisposisikan ke {LEAD} (bersama {CO})")
    got = api(live, "GET", f"/v1/complaints/{a['id']}")
    assert (got["status"], got["routed_opd"], got["co_opds"]) == ("routed", LEAD, [CO]) and got["due_at"]

    # record the OPD's answer with a canned reply
    page.goto(f"{live.url}/pengaduan/{a['id']}")
    expect(page.locator("#opd-pendamping")).to_have_text(CO)
    page.locator("#balasan-baku").select_option(index=1)
    assert f"#{a['id']}" in page.locator("#teks-tanggapan").input_value()  # placeholders filled in
    page.locator("#tombol-tanggapan").click()
    expect(page.locator(".pesan-ok")).to_contain_text(f"Tindak lanjut pengaduan #{a['id']} tercatat")
    expect(page.locator("h1 .status")).to_have_text("Ditindaklanjuti")

    # not our authority after all: forward to PLN, with the reason
    page.locator("#opd-terus").fill(PLN)
    page.locator("#catatan-terus").fill("lampu mercusuar dipasok jaringan PLN")
    page.locator("#tombol-teruskan").click()
    expect(page.locator(".pesan-ok")).to_contain_text(f"diteruskan ke {PLN}")
    got = api(live, "GET", f"/v1/complaints/{a['id']}")
    assert got["routed_opd"] == PLN and [d["action"] for d in got["decisions"]][-2:] == ["route", "forward"]
    assert len(got["responses"]) == 1

    # a wrong merge is undone from the console
    merged = api(live, "POST", f"/v1/complaints/{b['id']}/decision",
                 json={"action": "merge", "duplicate_of": a["id"], "expected_version": b["version"]})
    assert merged["complaint"]["status"] == "merged"
    page.goto(f"{live.url}/pengaduan/{b['id']}")
    page.locator("#catatan-batal-gabung").fill("lokasi berbeda, bukan laporan yang sama")
    page.locator("#tombol-batal-gabung").click()
    expect(page.locator(".pesan-ok")).to_contain_text("tidak lagi digabung")
    before = {"pending_review": "Menunggu verifikasi", "routed": "Didisposisikan"}[b["status"]]
    expect(page.locator("h1 .status")).to_have_text(before)  # back where it was before the merge
    assert api(live, "GET", f"/v1/complaints/{b['id']}")["duplicate_of"] is None

    # the dashboard for a date range shows the numbers of /v1/stats for the same range
    today = datetime.now(WITA).date()
    start = today - timedelta(days=14)
    page.goto(f"{live.url}/dasbor")
    page.locator("#dasbor-dari").fill(start.isoformat())
    page.locator("#dasbor-sampai").fill(today.isoformat())
    page.locator("#tombol-dasbor").click()
    stats = api(live, "GET", "/v1/stats", role="analyst", params={
        "period": "week", "date_from": datetime.combine(start, time(0), WITA).isoformat(),
        "date_to": datetime.combine(today + timedelta(days=1), time(0), WITA).isoformat()})
    everything = api(live, "GET", "/v1/stats", role="analyst", params={"period": "week"})
    shown = int(page.locator('[data-stat="received"]').get_attribute("data-value"))
    assert shown == stats["totals"]["received"] < everything["totals"]["received"]
    for row in stats["per_opd"]:
        tr = page.locator("#tabel-opd tr", has=page.locator(f'th:text-is("{row["opd"]}")'))
        assert tr.locator('[data-key="received"]').get_attribute("data-value") == str(row["received"])
    assert isinstance(date.fromisoformat(page.locator("#dasbor-dari").input_value()), date)
    page.screenshot(path=str(ARTIFACTS / "21-dasbor-rentang.png"), full_page=True)
