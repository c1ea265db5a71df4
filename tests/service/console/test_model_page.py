"""The console's Model page: versions and their comparison, retrain (analyst/admin) and promote (admin), and the
operator's session survives the switch (no restart)."""

from __future__ import annotations

import re
import time

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def login(client, role: str) -> str:
    page = client.get("/masuk")
    r = client.post("/masuk", data={"kunci": client.keys[role], "csrf": CSRF_RE.search(page.text).group(1)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return CSRF_RE.search(client.get("/model").text).group(1)


def test_model_page_retrains_compares_and_promotes(console_client):
    c = console_client
    api = {"Authorization": f"Bearer {c.keys['admin']}"}
    active = c.get("/v1/model", headers=api).json()["model_version"]
    csrf = login(c, "operator")
    page = c.get("/model")
    assert page.status_code == 200 and active in page.text and "Versi model" in page.text
    assert "Latih ulang" not in page.text and "/aktifkan" not in page.text  # operators only look
    assert c.post("/model/latih-ulang", data={"csrf": csrf}).status_code == 403
    c.cookies.clear()

    op = {"Authorization": f"Bearer {c.keys['operator']}"}
    items = c.get("/v1/review", params={"limit": 100}, headers=op).json()["items"]
    for cpl in [i["complaint"] for i in items if not i["complaint"]["triage"]["flags"]["flagged"]][:12]:
        r = c.post(f"/v1/complaints/{cpl['id']}/decision", headers=op, json={
            "action": "route", "opd": cpl["triage"]["top_k"][0]["opd"], "expected_version": cpl["version"]})
        assert r.status_code == 200, r.text

    csrf = login(c, "admin")
    r = c.post("/model/latih-ulang", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    (version,) = [m["version"] for m in c.get("/v1/models", headers=api).json()["items"] if m["version"] != active]
    deadline = time.monotonic() + 600
    while c.get(f"/v1/models/{version}", headers=api).json()["status"] == "training":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    page = c.get("/model").text
    assert "Perbandingan terakhir" in page and f"/model/{version}/aktifkan" in page and "kandidat" in page
    n = c.get(f"/v1/models/{version}", headers=api).json()["metrics"]["comparison"]["holdout"]["n"]
    row = c.get(f"/v1/models/{version}", headers=api).json()
    assert set(row["carried_over"]) == set(row["components"]) - {"router"}  # every kept component is named
    for name in row["carried_over"]:
        label = {"screener": "penyaringan"}.get(name, name)
        assert f"Komponen {label} dibawa dari <code>{active}</code> tanpa dilatih ulang" in page
    assert "Interval 95 % selisih" in page and f"(n = {n})" in page and "Uji McNemar (top-1)" in page
    assert re.search(r"[+\u2212\u00b1][0-9]+,[0-9] poin … [+\u2212\u00b1][0-9]+,[0-9] poin", page)
    r = c.post(f"/model/{version}/aktifkan", data={"csrf": csrf, "paksa": "1"}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/v1/model", headers=api).json()["model_version"] == version
    page = c.get("/model")  # the same session, after the switch
    assert page.status_code == 200 and "Model yang aktif" in page.text and "Kembalikan" in page.text
    assert c.get("/antrian").status_code == 200
    r = c.post(f"/model/{active}/aktifkan", data={"csrf": csrf}, follow_redirects=False)  # rollback
    assert r.status_code == 303 and c.get("/v1/model", headers=api).json()["model_version"] == active
