"""The console's unit table (admins): add a unit with its tasks, rename, merge; operators cannot open it."""

from __future__ import annotations

import re

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def login(client, role: str) -> None:
    page = client.get("/masuk")
    r = client.post("/masuk", data={"kunci": client.keys[role], "csrf": CSRF_RE.search(page.text).group(1)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def test_admin_adds_renames_and_merges_units(console_client):
    c = console_client
    login(c, "operator")
    assert c.get("/unit").status_code == 403
    c.cookies.clear()
    login(c, "admin")
    page = c.get("/unit")
    assert page.status_code == 200 and "Dinas Sosial" in page.text and 'href="/unit"' in page.text
    csrf = CSRF_RE.search(page.text).group(1)
    r = c.post("/unit", data={"csrf": csrf, "nama": "Dinas Pemadam Kebakaran", "uraian": "kebakaran, damkar, tawon",
                              "alias": "Damkar", "jenis": "dinas"}, follow_redirects=False)
    assert r.status_code == 303
    assert "Dinas Pemadam Kebakaran" in c.app.state.tenant.units  # decisions may name it at once
    r = c.post("/unit/ganti-nama", data={"csrf": csrf, "unit": "Dinas Sosial", "nama_baru": "Dinas Sosial Baru"},
               follow_redirects=False)
    assert r.status_code == 303 and "Dinas Sosial" not in c.app.state.tenant.units
    r = c.post("/unit/gabung", data={"csrf": csrf, "unit": "Dinas Pariwisata", "ke": "Dinas Pariwisata"},
               follow_redirects=True)
    assert "tidak dapat digabung dengan dirinya sendiri" in r.text  # the refusal is shown, nothing changes
    r = c.post("/unit/gabung", data={"csrf": csrf, "unit": "Dinas Pariwisata", "ke": "Dinas Sosial Baru"},
               follow_redirects=True)
    assert r.status_code == 200 and "digabung ke Dinas Sosial Baru" in r.text
    assert "Dinas Pariwisata" not in c.app.state.tenant.units
