"""The operator console in real headless Chromium (Debian ``chromium``, driven by Playwright for Python).

The app runs under uvicorn on 127.0.0.1 with a temp SQLite database, the demo model and demo complaints.
Screenshots of every page go to ``test-artifacts/console/`` (1366×768, and phone width 390 px).
Skipped, saying why, when /usr/bin/chromium or the ``playwright`` package is missing.
"""

from __future__ import annotations

import re

import httpx

from fixtures.console_app import ARTIFACTS, browser_or_skip, log_in

playwright_api = browser_or_skip()

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def queue_badge(page) -> int:
    return int(page.locator(".lencana-nav").first.inner_text())


def api(live, path: str, role: str = "operator", **params):
    r = httpx.get(f"{live.url}{path}", params=params, headers=live.auth(role), timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def layout_shift(page) -> float:
    """Cumulative layout shift of the page so far (Chromium's layout-instability API)."""
    return page.evaluate("""() => new Promise(resolve => {
        let total = 0;
        new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
            .observe({type: 'layout-shift', buffered: true});
        setTimeout(() => resolve(total), 300);
    })""")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_operator_reviews_overrides_and_logs_out(live_console, browser):
    live = live_console
    ctx = browser.new_context(viewport=DESKTOP, locale="id-ID")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # not logged in: the queue sends us to the login page
    page.goto(f"{live.url}/antrian")
    assert "/masuk" in page.url
    shot(page, "01-masuk")
    log_in(page, live.url, live.keys["operator"])
    assert page.url.endswith("/antrian")
    expect = playwright_api.expect
    expect(page.get_by_role("heading", name="Antrian tinjauan")).to_be_visible()
    before = queue_badge(page)
    assert before == api(live, "/v1/review")["queue_size"] > 0
    shot(page, "02-antrian")

    # filter by reason, then open the flagged complaint: evidence and explanation terms are highlighted
    page.get_by_role("link", name=re.compile(r"^Ditandai")).click()
    assert "alasan=flagged" in page.url
    page.locator(f'tr[data-id="{live.seeded.flagged_id}"] a.tautan-no').click()
    evidence = page.locator("#teks-pengaduan mark.bukti")
    expect(evidence.first).to_have_text(re.compile("bodoh", re.I))
    expect(page.locator("#teks-pengaduan mark.istilah").first).to_be_visible()
    expect(page.get_by_text("kata kasar/makian ditujukan kepada petugas")).to_be_visible()
    assert "0812-3456-7890" not in page.locator("#teks-pengaduan").inner_text()
    expect(page.locator("#tombol-terima")).to_be_disabled()  # a flag must be cleared before routing
    shot(page, "03-detail-ditandai")

    # a probable duplicate: both texts side by side with the earlier one's status
    page.goto(f"{live.url}/pengaduan/{live.seeded.duplicate_id}")
    exact = page.locator(".kandidat", has=page.locator(f'a[href="/pengaduan/{live.seeded.ids[1]}"]'))
    expect(exact).to_contain_text("teks sama persis")
    expect(exact.get_by_role("button", name=f"Gabungkan ke #{live.seeded.ids[1]}")).to_be_visible()
    shot(page, "04-detail-duplikat")

    # override the route of the oldest "perlu rute" item
    page.goto(f"{live.url}/antrian?alasan=not_auto_routed")
    page.locator("a.buka-pertama").click()
    cid = int(re.search(r"/pengaduan/(\d+)", page.url).group(1))
    expect(page.locator("#teks-pengaduan mark.istilah").first).to_be_visible()
    shot(page, "05-detail-perlu-rute")
    suggested = api(live, f"/v1/complaints/{cid}")["suggested_opd"]
    options = page.locator("#daftar-opd option").evaluate_all("els => els.map(e => e.value)")
    target = next(o for o in options if o != suggested)
    page.keyboard.press("u")  # shortcut: focus the searchable OPD field
    expect(page.locator("#opd-tujuan")).to_be_focused()
    page.keyboard.type(target)
    page.get_by_role("button", name="Disposisikan").click()
    page.wait_for_load_state()
    expect(page.locator(".pesan-ok")).to_contain_text(f"Pengaduan #{cid} didisposisikan ke {target}")
    assert f"/pengaduan/{cid}" not in page.url  # the next item opened
    assert queue_badge(page) == before - 1
    stored = api(live, f"/v1/complaints/{cid}")
    assert stored["status"] == "routed" and stored["routed_opd"] == target
    assert stored["decisions"][-1]["action"] == "route" and stored["decisions"][-1]["operator"] == "test-operator"
    assert api(live, "/v1/review")["queue_size"] == before - 1
    shot(page, "06-detail-setelah-keputusan")

    page.goto(f"{live.url}/antrian")
    assert page.locator(f'tr[data-id="{cid}"]').count() == 0
    assert queue_badge(page) == before - 1
    page.keyboard.press("j")  # J on the queue opens the oldest item
    page.wait_for_url(re.compile(r"/pengaduan/\d+"))

    # walk-in / phone complaint: the triage shows at once
    page.goto(f"{live.url}/lapor")
    page.get_by_label("Teks pengaduan").fill("Air PDAM di Benteng Utara tidak mengalir sudah 4 hari, warga "
                                             "terpaksa beli air galon. Mohon segera diperbaiki.")
    page.get_by_label("Kecamatan").fill("Benteng")
    page.get_by_label("Kelurahan/desa").fill("Benteng Utara")
    page.get_by_label("Saluran").select_option("telepon")
    page.get_by_role("button", name="Simpan dan triase").click()
    page.wait_for_load_state()
    expect(page.locator("#h-hasil + p a")).to_contain_text("Pengaduan #")
    expect(page.locator(".saran li")).to_have_count(3)
    shot(page, "07-lapor")

    # every control has a label (inputs, selects, textareas); nothing moves once the page is shown
    for path in ("/antrian", f"/pengaduan/{live.seeded.duplicate_id}", "/lapor", "/dasbor"):
        page.goto(f"{live.url}{path}")
        assert layout_shift(page) < 0.01, f"{path}: layout shift"
        unlabeled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map(el => el.id || el.name)""")
        assert unlabeled == [], f"{path}: controls without a label: {unlabeled}"

    # log out; the console refuses us afterwards
    page.get_by_role("button", name="Keluar", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Anda telah keluar.")).to_be_visible()
    page.goto(f"{live.url}/antrian")
    assert "/masuk" in page.url
    page.goto(f"{live.url}/pengaduan/{cid}")
    assert "/masuk" in page.url
    assert not errors, errors
    ctx.close()


def test_dashboard_charts_show_the_numbers_of_v1_stats(live_console, browser):
    live = live_console
    ctx = browser.new_context(viewport=DESKTOP, locale="id-ID")
    page = ctx.new_page()
    log_in(page, live.url, live.keys["analyst"])
    assert page.url.endswith("/dasbor")
    stats = api(live, "/v1/stats", role="analyst", period="week")
    totals = stats["totals"]
    for key in ("received", "in_review", "responded"):
        assert page.locator(f'[data-stat="{key}"]').get_attribute("data-value") == str(totals[key])
    for key in ("auto_route_rate", "override_rate"):
        shown = page.locator(f'[data-stat="{key}"]').get_attribute("data-value")
        assert (float(shown) if shown else None) == totals[key]
    weeks: dict[str, int] = {}
    for p in stats["periods"]:
        weeks[p["period_start"]] = weeks.get(p["period_start"], 0) + p["received"]
    bars = page.locator("#grafik-periode g.bar").evaluate_all("els => els.map(e => +e.dataset.value)")
    assert bars == [weeks[k] for k in sorted(weeks)]
    table = page.locator("#tabel-periode td[data-value]").evaluate_all("els => els.map(e => +e.dataset.value)")
    assert table == bars
    for row in stats["per_opd"]:
        tr = page.locator("#tabel-opd tr", has=page.locator(f'th:text-is("{row["opd"]}")'))
        assert tr.locator('[data-key="received"]').get_attribute("data-value") == str(row["received"])
        if row["time_to_route_median_s"] is not None:
            cell = page.locator("#tabel-rute tr", has=page.locator(f'th:text-is("{row["opd"]}")'))
            assert float(cell.locator('[data-key="time_to_route_median_s"]').get_attribute("data-value")) == \
                row["time_to_route_median_s"]
        if row["time_to_response_p90_s"] is not None:
            cell = page.locator("#tabel-tanggapan tr", has=page.locator(f'th:text-is("{row["opd"]}")'))
            assert float(cell.locator('[data-key="time_to_response_p90_s"]').get_attribute("data-value")) == \
                row["time_to_response_p90_s"]
    opd_bars = page.locator("#grafik-opd g.bar").evaluate_all("els => els.map(e => +e.dataset.value)")
    assert sorted(opd_bars) == sorted(r["received"] for r in stats["per_opd"])
    for chart in ("grafik-periode", "grafik-opd", "grafik-rute", "grafik-tanggapan"):
        assert page.locator(f"#{chart}").is_visible()
    assert page.locator("#grafik-tanggapan g.bar").count() >= 2
    shot(page, "08-dasbor")
    page.goto(f"{live.url}/model")
    shot(page, "09-model")
    # an analyst cannot open the queue
    page.goto(f"{live.url}/antrian")
    assert page.get_by_role("heading", name="Akses ditolak").is_visible()
    ctx.close()


def test_admin_keys_page(live_console, browser):
    live = live_console
    ctx = browser.new_context(viewport=DESKTOP, locale="id-ID")
    page = ctx.new_page()
    log_in(page, live.url, live.keys["admin"])
    page.goto(f"{live.url}/kunci")
    page.get_by_label("Nama pemakai (orang atau sistem)").fill("Operator Loket Benteng")
    page.get_by_label("Peran").select_option("operator")
    page.get_by_role("button", name="Buat kunci").click()
    page.wait_for_load_state()
    key = page.locator("#kunci-baru").input_value()
    assert key.startswith("lt_")
    shot(page, "10-kunci")
    ctx.close()


def test_phone_width_layout(live_console, browser):
    live = live_console
    ctx = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True,
                              device_scale_factor=2)
    page = ctx.new_page()
    log_in(page, live.url, live.keys["operator"])
    assert page.url.endswith("/antrian")
    assert no_horizontal_scroll(page), "the queue must fit a phone without sideways scrolling"
    shot(page, "11-ponsel-antrian")
    page.goto(f"{live.url}/pengaduan/{live.seeded.duplicate_id}")
    assert no_horizontal_scroll(page)
    shot(page, "12-ponsel-detail")
    page.goto(f"{live.url}/dasbor")
    assert no_horizontal_scroll(page)
    shot(page, "13-ponsel-dasbor")
    page.goto(f"{live.url}/lapor")
    assert no_horizontal_scroll(page)
    ctx.close()


TABLES_OVER_THEIR_CARD = """() => [...document.querySelectorAll('table')].flatMap(t => {
    const card = t.closest('.kartu'); if (!card) return [];
    const right = t.getBoundingClientRect().right, edge = card.getBoundingClientRect().right;
    return right > edge + 1 ? [`${t.id || t.className}: ${Math.round(right - edge)} px`] : []; })"""


def test_desktop_widths_keep_every_table_inside_its_card(live_console, browser):
    live = live_console
    paths = ["/antrian", "/daftar", "/dasbor", "/dasbor?periode=bulan", "/model", "/unit", "/kebijakan",
             "/berulang", "/kunci", "/lapor", f"/pengaduan/{live.seeded.duplicate_id}"]
    for width in (1024, 1366, 1920):
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
        page = ctx.new_page()
        log_in(page, live.url, live.keys["admin"])
        for path in paths:
            page.goto(f"{live.url}{path}")
            assert page.evaluate(TABLES_OVER_THEIR_CARD) == [], f"{path} at {width} px"
            assert no_horizontal_scroll(page), f"{path} at {width} px scrolls sideways"
        ctx.close()
