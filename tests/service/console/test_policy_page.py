"""The console's handling-policy page (admins): add a rule, edit it, disable it; each change applies to the next
suggestion at once and shows in the history; operators cannot open it."""

from __future__ import annotations

import re

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
LIGHTS = "Lampu jalan (PJU) di depan rumah kami mati sudah dua minggu, gelap sekali. Mohon diperbaiki."


def login(client, role: str) -> None:
    page = client.get("/masuk")
    r = client.post("/masuk", data={"kunci": client.keys[role], "csrf": CSRF_RE.search(page.text).group(1)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def suggest(c, n: int) -> dict:
    r = c.post("/v1/complaints", headers={"Authorization": f"Bearer {c.keys['operator']}"},
               json={"text": LIGHTS + " Tolong." * n, "kelurahan": "Bontobangun", "kecamatan": "Bontoharu"})
    assert r.status_code == 201, r.text
    return r.json()["triage"]


def test_admin_adds_edits_and_disables_a_rule(console_client):
    c = console_client
    login(c, "operator")
    assert c.get("/kebijakan").status_code == 403 and 'href="/kebijakan"' not in c.get("/antrian").text
    c.cookies.clear()
    login(c, "admin")
    page = c.get("/kebijakan")
    assert page.status_code == 200 and "Belum ada aturan" in page.text and 'href="/kebijakan"' in page.text
    csrf = CSRF_RE.search(page.text).group(1)
    before = suggest(c, 1)["suggested_opd"]
    assert before != "Kelurahan Bontobangun"

    r = c.post("/kebijakan", data={"csrf": csrf, "kata_kunci": "", "tujuan": "kelurahan"}, follow_redirects=True)
    assert "Aturan perlu paling sedikit satu syarat" in r.text  # refused, shown, nothing stored
    r = c.post("/kebijakan", data={"csrf": csrf, "kata_kunci": "lampu jalan|pju", "kelurahan": "Bontobangun",
                                   "tujuan": "kelurahan", "alasan": "PJU lingkungan ditangani kelurahan"},
               follow_redirects=True)
    (rule,) = re.findall(r"Aturan #(\d+) ditambahkan", r.text)
    ruled = suggest(c, 2)
    assert ruled["suggested_opd"] == "Kelurahan Bontobangun"
    assert f"kebijakan penanganan: PJU lingkungan ditangani kelurahan (aturan #{rule})" in ruled["explanation"]

    r = c.post("/kebijakan/ubah", data={"csrf": csrf, "aturan": rule, "kata_kunci": "lampu jalan|pju",
                                        "kelurahan": "Bontobangun", "tujuan": "kecamatan", "alasan": ""},
               follow_redirects=True)
    assert f"Aturan #{rule} diubah" in r.text
    assert suggest(c, 3)["suggested_opd"] == "Kecamatan Bontoharu"
    r = c.post("/kebijakan/status", data={"csrf": csrf, "aturan": rule, "aktif": "0"}, follow_redirects=True)
    assert f"Aturan #{rule} dinonaktifkan" in r.text and "nonaktif" in r.text
    assert suggest(c, 4)["suggested_opd"] == before
    history = c.get("/kebijakan").text
    assert history.count(f"Aturan #{rule} ") >= 3 and "dinonaktifkan oleh admin:" in history
    assert "route_to: «kelurahan» → «kecamatan»" in history
