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


def test_a_failed_retrain_says_why_in_indonesian_with_the_recorded_detail(console_client, tmp_path):
    from service import registry

    c = console_client
    db = c.app.state.db
    active = registry.active_row(db).version
    reasons = {"20261206T000001Z-stopped": "TrainingStopped: training stopped: the server shut down during it",
               "20261206T000002Z-timeout": "TimeoutError: no result after 3600 s: the training process was stopped",
               "20261206T000003Z-unknown": "ValueError: something nobody foresaw"}
    for version, error in reasons.items():
        registry.start_training(db, version, tmp_path / version, active, "t", 3600, 35)
        registry.fail_training(db, version, error)
    login(c, "analyst")
    page = c.get("/model").text
    assert "Dihentikan karena server dimatikan saat pelatihan berjalan" in page
    assert "Dihentikan karena tidak selesai dalam batas waktu pelatihan" in page
    assert "Pelatihan gagal; lihat rinciannya." in page
    for error in reasons.values():  # the technical detail stays, to pass on
        assert f"Rincian: {error}" in page
    versions = page[page.index('id="h-riwayat"'):]
    assert re.search(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2} WITA", versions)  # the console's dates, in the tenant's zone
    assert "+00:00" not in versions
