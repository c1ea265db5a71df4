"""Operator console without a browser: login, session cookie, CSRF, roles, decisions, pages render."""

from __future__ import annotations

import re



CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
VERSION_RE = re.compile(r'name="versi" value="(\d+)"')


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def queued_id(client, reason: str | None = None) -> int:
    params = {"reason": reason} if reason else {}
    items = client.get("/v1/review", params=params,
                       headers={"Authorization": f"Bearer {client.keys['operator']}"}).json()["items"]
    assert items, f"the demo data should leave complaints in the queue ({reason or 'any reason'})"
    return items[0]["complaint"]["id"]


def login(client, role: str = "operator"):
    page = client.get("/masuk")
    assert page.status_code == 200
    r = client.post("/masuk", data={"kunci": client.keys[role], "csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r


def test_login_sets_a_hardened_session_cookie_and_logout_ends_it(console_client):
    c = console_client
    assert c.get("/antrian", follow_redirects=False).headers["location"].startswith("/masuk?lanjut=%2Fantrian")
    r = login(c)
    assert r.headers["location"] == "/antrian"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("lapor_sesi="))
    low = cookie.lower()
    assert "httponly" in low and "samesite=lax" in low and "path=/" in low
    assert c.keys["operator"] not in cookie  # the key itself never sits in the cookie
    page = c.get("/antrian")
    assert page.status_code == 200 and "Antrian tinjauan" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"
    stolen = c.cookies.get("lapor_sesi")
    r = c.post("/keluar", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.headers["location"] == "/masuk?keluar=1"
    assert c.get("/antrian", follow_redirects=False).status_code == 303
    c.cookies.set("lapor_sesi", stolen)  # a copy of the cookie from before logout is refused too
    assert c.get("/antrian", follow_redirects=False).status_code == 303


def test_wrong_key_tampered_cookie_and_missing_login_csrf_are_refused(console_client):
    c = console_client
    page = c.get("/masuk")
    r = c.post("/masuk", data={"kunci": "lt_salah", "csrf": csrf_of(page.text)})
    assert r.status_code == 401 and "Kunci API tidak dikenal" in r.text
    r = c.post("/masuk", data={"kunci": c.keys["operator"], "csrf": "palsu"})
    assert r.status_code == 403 and "lapor_sesi" not in c.cookies
    login(c)
    value = c.cookies.get("lapor_sesi")
    c.cookies.delete("lapor_sesi")  # replaced, not added beside the server's (httpx2 keeps both)
    c.cookies.set("lapor_sesi", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert c.get("/antrian", follow_redirects=False).status_code == 303


def test_posts_need_the_session_csrf_token_and_same_origin(console_client):
    c = console_client
    login(c)
    cid = queued_id(c, "not_auto_routed")
    page = c.get(f"/pengaduan/{cid}")
    version = VERSION_RE.search(page.text).group(1)
    form = {"aksi": "escalate", "versi": version, "catatan": "uji"}
    r = c.post(f"/pengaduan/{cid}/keputusan", data=form)
    assert r.status_code == 403 and "Permintaan ditolak" in r.text
    r = c.post(f"/pengaduan/{cid}/keputusan", data={**form, "csrf": csrf_of(page.text)},
               headers={"Origin": "https://penyerang.example"})
    assert r.status_code == 403
    detail = c.get(f"/v1/complaints/{cid}", headers={"Authorization": f"Bearer {c.keys['operator']}"}).json()
    assert detail["decisions"] == []


def test_roles_operator_analyst_admin(console_client):
    c = console_client
    login(c, "analyst")
    assert c.get("/", follow_redirects=False).headers["location"] == "/dasbor"
    assert c.get("/antrian").status_code == 403
    assert c.get("/lapor").status_code == 403
    assert c.get("/kunci").status_code == 403
    assert c.get("/dasbor").status_code == 200
    assert c.get("/model").status_code == 200
    detail = c.get(f"/pengaduan/{c.seeded.pii_id}")
    assert detail.status_code == 200
    assert "Peran Analis hanya dapat melihat" in detail.text and 'action="/pengaduan/' not in detail.text
    c.cookies.clear()
    login(c, "operator")
    assert c.get("/kunci").status_code == 403
    c.cookies.clear()
    login(c, "admin")
    page = c.get("/kunci")
    assert page.status_code == 200 and "test-operator" in page.text


def test_pii_is_masked_and_terms_and_evidence_are_highlighted(console_client):
    c = console_client
    login(c)
    page = c.get(f"/pengaduan/{c.seeded.pii_id}").text
    assert "7301012345670001" not in page and "081234567890" not in page
    assert "[NIK]" in page and "[TELEPON]" in page
    assert '<mark class="istilah"' in page
    flagged = c.get(f"/pengaduan/{c.seeded.flagged_id}").text
    assert re.search(r'<mark class="bukti"[^>]*>bodoh</mark>', flagged)
    assert "bahasa kasar/makian" in flagged and "kata kasar/makian ditujukan kepada petugas" in flagged
    assert "0812-3456-7890" not in flagged
    dup = c.get(f"/pengaduan/{c.seeded.duplicate_id}").text
    assert re.search(r"Kemungkinan duplikat \([1-9]\d*\)", dup) and f"Gabungkan ke #{c.seeded.ids[1]}" in dup


def test_decision_through_the_console_is_the_api_decision_and_the_next_item_opens(console_client):
    c = console_client
    login(c)
    queue = c.get("/antrian?alasan=not_auto_routed").text
    ids = [int(x) for x in re.findall(r'<tr data-id="(\d+)"', queue)]
    assert ids, "the demo data should leave complaints that need routing"
    cid = ids[0]
    page = c.get(f"/pengaduan/{cid}?alasan=not_auto_routed")
    suggested = c.get(f"/v1/complaints/{cid}", headers={"Authorization": f"Bearer {c.keys['operator']}"}).json()
    other = next(o for o in re.findall(r'<option value="([^"]+)"></option>', page.text)
                 if o != suggested["suggested_opd"])
    r = c.post(f"/pengaduan/{cid}/keputusan", data={
        "aksi": "route", "opd": other, "versi": VERSION_RE.search(page.text).group(1), "csrf": csrf_of(page.text),
        "f_alasan": "not_auto_routed", "f_opd": ""}, follow_redirects=False)
    assert r.status_code == 303
    assert len(ids) > 1, "the demo data leaves several complaints that need routing"
    assert r.headers["location"] == f"/pengaduan/{ids[1]}?alasan=not_auto_routed"
    nxt = c.get(r.headers["location"])
    assert f"Pengaduan #{cid} didisposisikan ke {other}" in nxt.text.replace("&amp;", "&")
    api = c.get(f"/v1/complaints/{cid}", headers={"Authorization": f"Bearer {c.keys['operator']}"}).json()
    assert api["status"] == "routed" and api["routed_opd"] == other and api["routed_by"] == "test-operator"
    d = api["decisions"][-1]
    assert (d["action"], d["opd"], d["suggested_opd"], d["operator"]) == ("route", other, suggested["suggested_opd"],
                                                                          "test-operator")
    # the stale version is refused like the API does (409 conflict → message on the page)
    r = c.post(f"/pengaduan/{cid}/keputusan", data={
        "aksi": "escalate", "catatan": "x", "versi": VERSION_RE.search(page.text).group(1),
        "csrf": csrf_of(page.text)})
    assert "sudah diubah oleh orang lain" in r.text
    queue_after = c.get("/antrian?alasan=not_auto_routed").text
    assert f'<tr data-id="{cid}"' not in queue_after


def test_flagged_complaint_needs_a_cleared_flag_before_routing(console_client):
    c = console_client
    login(c)
    cid = c.seeded.flagged_id
    page = c.get(f"/pengaduan/{cid}").text
    assert re.search(r'id="tombol-terima"[^>]*disabled', page, re.S)
    r = c.post(f"/pengaduan/{cid}/keputusan",
               data={"aksi": "clear_flag", "catatan": "", "versi": VERSION_RE.search(page).group(1),
                     "csrf": csrf_of(page)})
    assert "Catatan wajib diisi" in r.text
    page = c.get(f"/pengaduan/{cid}").text
    r = c.post(f"/pengaduan/{cid}/keputusan",
               data={"aksi": "clear_flag", "catatan": "keluhan sah, kata kasar bukan ancaman",
                     "versi": VERSION_RE.search(page).group(1), "csrf": csrf_of(page)})
    assert r.status_code == 200
    api = c.get(f"/v1/complaints/{cid}", headers={"Authorization": f"Bearer {c.keys['operator']}"}).json()
    assert api["flag_cleared"] is True and api["decisions"][-1]["note"] == "keluhan sah, kata kasar bukan ancaman"


def test_unknown_opd_is_refused_before_the_api(console_client):
    c = console_client
    login(c)
    cid = queued_id(c, "not_auto_routed")
    page = c.get(f"/pengaduan/{cid}").text
    r = c.post(f"/pengaduan/{cid}/keputusan", data={"aksi": "route", "opd": "Dinas Salah Ketik",
                                                    "versi": VERSION_RE.search(page).group(1), "csrf": csrf_of(page)})
    assert "tidak ada dalam daftar" in r.text


def test_intake_form_stores_and_shows_the_triage(console_client):
    c = console_client
    login(c)
    page = c.get("/lapor").text
    r = c.post("/lapor", data={"teks": "Jalan poros ke desa Bontobangun berlubang besar, banyak motor jatuh.",
                               "kecamatan": "Bontoharu", "kelurahan": "Bontobangun", "saluran": "telepon",
                               "csrf": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/lapor?hasil=")
    cid = int(r.headers["location"].split("=")[1])
    shown = c.get(r.headers["location"]).text
    assert f"Pengaduan #{cid}" in shown and "Hasil triase" in shown and 'class="saran"' in shown
    api = c.get(f"/v1/complaints/{cid}", headers={"Authorization": f"Bearer {c.keys['operator']}"}).json()
    assert api["channel"] == "telepon" and api["kelurahan"] == "Bontobangun"
    r = c.post("/lapor", data={"teks": "   ", "csrf": csrf_of(page)})
    assert r.status_code == 422 and "Teks pengaduan" in r.text


def test_dashboard_shows_the_numbers_of_v1_stats(console_client):
    c = console_client
    login(c, "analyst")
    page = c.get("/dasbor").text
    stats = c.get("/v1/stats", params={"period": "week"},
                  headers={"Authorization": f"Bearer {c.keys['analyst']}"}).json()
    assert f'data-stat="received" data-value="{stats["totals"]["received"]}"' in page
    for row in stats["per_opd"]:
        assert f'data-key="received" data-value="{row["received"]}"' in page
    weeks = {}
    for p in stats["periods"]:
        weeks[p["period_start"]] = weeks.get(p["period_start"], 0) + p["received"]
    period_chart = page[page.index('id="grafik-periode"'):page.index("</svg>", page.index('id="grafik-periode"'))]
    assert period_chart.count('<g class="bar" data-label=') == len(weeks) > 1
    assert page.count("<svg") >= 4


def test_admin_creates_and_revokes_a_key(console_client):
    c = console_client
    login(c, "admin")
    page = c.get("/kunci").text
    r = c.post("/kunci", data={"nama": "Operator Loket 2", "peran": "operator", "csrf": csrf_of(page)})
    assert r.status_code == 200 and "hanya ditampilkan sekali" in r.text
    new_key = re.search(r'id="kunci-baru" readonly value="([^"]+)"', r.text).group(1)
    assert c.get("/v1/review", headers={"Authorization": f"Bearer {new_key}"}).status_code == 200
    key_id = int(re.findall(r'action="/kunci/(\d+)/cabut"', r.text)[-1])
    r = c.post(f"/kunci/{key_id}/cabut", data={"csrf": csrf_of(r.text)})
    assert "telah dicabut" in r.text
    assert c.get("/v1/review", headers={"Authorization": f"Bearer {new_key}"}).status_code == 401


def test_next_parameter_cannot_leave_the_site(console_client):
    c = console_client
    page = c.get("/masuk?lanjut=//evil.example/x").text
    assert 'name="lanjut" value=""' in page
    r = c.post("/masuk", data={"kunci": c.keys["operator"], "csrf": csrf_of(page), "lanjut": "https://evil.example"},
               follow_redirects=False)
    assert r.headers["location"] == "/antrian"


def test_complaint_text_is_escaped_not_executed(console_client):
    c = console_client
    r = c.post("/v1/complaints", json={"text": "Jalan rusak <script>alert(1)</script> di <b>Benteng</b>",
                                       "kecamatan": "<img src=x onerror=alert(2)>"},
               headers={"Authorization": f"Bearer {c.keys['operator']}"})
    cid = r.json()["id"]
    login(c)
    page = c.get(f"/pengaduan/{cid}").text
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page  # shown as text


def test_huge_ids_far_dates_and_oversized_forms_are_4xx_not_500(console_client):
    c = console_client
    page = c.get("/masuk")
    many = {f"f{i}": "x" for i in range(60)}
    assert c.post("/masuk", data={**many, "csrf": csrf_of(page.text), "kunci": "x"}).status_code == 401
    assert c.post("/keluar", data=many, follow_redirects=False).status_code == 303  # nobody to log out
    flood = {f"f{i}": "x" for i in range(2_000)}
    for path in ("/masuk", "/keluar"):  # unauthenticated, before any other check
        r = c.post(path, data=flood)
        assert r.status_code == 413 and "Formulir terlalu besar" in r.text
    login(c, "admin")
    page = c.get("/antrian")
    csrf = csrf_of(page.text)
    for huge in (2**63, 2**64, 10**30):
        assert c.get(f"/pengaduan/{huge}").status_code == 404
        assert c.get(f"/lapor?hasil={huge}").status_code == 200
        for path in (f"/pengaduan/{huge}/keputusan", f"/pengaduan/{huge}/tanggapan", f"/kunci/{huge}/cabut",
                     f"/kunci/{huge}/akhiri-sesi"):
            r = c.post(path, data={"csrf": csrf, "aksi": "verify", "versi": "1", "teks": "sudah"})
            assert r.status_code in (200, 404), (path, r.status_code)  # a notice, or the not-found page
    cid = queued_id(c)
    r = c.post(f"/pengaduan/{cid}/keputusan", data={"csrf": csrf, "aksi": "merge", "versi": "1",
                                                    "duplikat": str(2**63)})
    assert r.status_code == 200
    for query in ("dari=0001-01-01&sampai=9999-12-31", "dari=9999-12-31", "sampai=0001-01-01"):
        assert c.get(f"/dasbor?{query}").status_code == 200
        assert c.get(f"/daftar?{query}").status_code == 200
