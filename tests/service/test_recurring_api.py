"""Recurring problems through the API, on SQLite and PostgreSQL: the acceptance scenario, filters, roles,
the group of one complaint, persistence across a restart, rising topics."""

from __future__ import annotations

from fixtures.recurring import DRAIN, KEC, OTHERS
from fixtures.service_app import Service, create_keys, start_service

PERIOD = {"date_from": "2024-07-01T00:00:00Z", "date_to": "2024-12-01T00:00:00Z"}


def submit_scenario(svc) -> dict[str, int]:
    """Every complaint of the scenario through POST /v1/complaints, in time order; key → complaint id."""
    ids = {}
    for key, when, text, kel, addr in sorted(DRAIN + OTHERS, key=lambda r: r[1]):
        body = {"text": text, "kelurahan": kel, "kecamatan": KEC, "submitted_at": when.replace(" ", "T") + ":00+08:00"}
        if addr:
            body["address"] = addr
        ids[key] = svc.submit(**body)["id"]
    return ids


def drain_group(items: list[dict], ids: dict[str, int]) -> dict:
    found = [g for g in items if ids["d1"] in g["complaint_ids"]]
    assert len(found) == 1, items
    return found[0]


def test_five_differently_worded_reports_come_back_as_one_group(svc):
    ids = submit_scenario(svc)
    r = svc.get("/v1/recurring", params=PERIOD)
    assert r.status_code == 200, r.text
    g = drain_group(r.json()["items"], ids)
    drain_ids = {ids[k] for k, *_ in DRAIN}
    assert set(g["complaint_ids"]) >= drain_ids and g["size"] >= 5
    assert not set(g["complaint_ids"]) & {ids[k] for k, *_ in OTHERS}
    assert g["id"] == ids["d1"]  # the group is named after its first report
    assert g["first_at"].startswith("2024-08-05") and g["last_at"].startswith("2024-11-0")
    assert g["trend"] in ("rising", "steady", "falling") and g["kelurahan"] == "Kenanga"
    assert g["label"] and "salur" not in g["label"].split() and "[telepon]" not in g["label"]
    assert {"units", "answered", "size_total", "first_reported_at"} <= set(g)
    # the same for an analyst; the period bounds the members
    assert svc.get("/v1/recurring", role="analyst", params=PERIOD).json() == r.json()
    september = svc.get("/v1/recurring", params={"date_from": "2024-08-01T00:00:00Z",
                                                  "date_to": "2024-09-01T00:00:00Z"}).json()["items"]
    assert drain_group(september, ids)["complaint_ids"] == [ids["d1"], ids["d2"]]


def test_filters_by_kecamatan_and_unit(svc):
    ids = submit_scenario(svc)
    assert drain_group(svc.get("/v1/recurring", params={**PERIOD, "kecamatan": "kota utara"}).json()["items"], ids)
    assert svc.get("/v1/recurring", params={**PERIOD, "kecamatan": "Lain"}).json() == {"items": []}
    g = drain_group(svc.get("/v1/recurring", params=PERIOD).json()["items"], ids)
    unit = g["units"][0]["opd"]
    assert drain_group(svc.get("/v1/recurring", params={**PERIOD, "opd": unit}).json()["items"], ids)
    assert svc.get("/v1/recurring", params={**PERIOD, "opd": "Dinas Tidak Ada"}).json() == {"items": []}
    bad = svc.get("/v1/recurring", params={"date_from": "2024-12-01T00:00:00Z", "date_to": "2024-07-01T00:00:00Z"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "date_from"]
    assert svc.client.get("/v1/recurring").status_code == 401


def test_group_of_one_complaint(svc):
    ids = submit_scenario(svc)
    r = svc.get(f"/v1/complaints/{ids['d4']}/recurring")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == ids["d1"] and body["ordinal"] == 4 and body["size"] == 5
    assert svc.get(f"/v1/complaints/{ids['o4']}/recurring").status_code == 404


def test_groups_survive_a_restart_and_keep_growing(svc, demo_model):
    ids = submit_scenario(svc)
    app, client = start_service(svc.url, demo_model)
    with client:
        again = Service(client=client, app=app, url=svc.url)
        again.keys = create_keys(app.state.db)
        assert drain_group(again.get("/v1/recurring", params=PERIOD).json()["items"], ids)["size"] == 5
        new = again.submit(text="Saluran gang 3 Kenanga mampet lagi, air hujan meluap ke rumah", kelurahan="Kenanga",
                           kecamatan=KEC, submitted_at="2024-11-20T09:00:00+08:00")
        g = drain_group(again.get("/v1/recurring", params=PERIOD).json()["items"], ids)
        assert new["id"] in g["complaint_ids"] and g["size"] == 6


def test_rising_topics_endpoint(svc):
    for i in range(12):
        day = 1 + 15 * i  # one school complaint every 15 days from January
        svc.submit(text="Guru sering tidak masuk kelas", kelurahan="Melati", kecamatan=KEC,
                   submitted_at=f"2024-{1 + day // 31:02d}-{1 + day % 28:02d}T08:00:00+08:00")
    for i in range(7):
        svc.submit(text="Stok vaksin booster habis di puskesmas", kelurahan=f"Kel {i}", kecamatan="Sawah",
                   submitted_at=f"2024-07-{10 + 2 * i:02d}T08:00:00+08:00")
    r = svc.get("/v1/recurring/rising", role="analyst", params={"as_of": "2024-08-01T00:00:00Z"})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    sawah = [t for t in items if t["scope"] == "kecamatan" and t["value"] == "Sawah"]
    assert len(sawah) == 1 and {"vaksin", "booster"} <= set(sawah[0]["label"].split())
    assert sawah[0]["recent"] == 7 and sawah[0]["q_value"] < 0.05
    assert not [t for t in items if "guru" in t["label"].split()]


def test_complaints_stored_without_a_group_row_are_linked_at_start_up(svc, demo_model):
    """A database from before recurring groups existed (or a failed filing): the next start links them."""
    from sqlalchemy import create_engine, text

    ids = submit_scenario(svc)
    engine = create_engine(svc.url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM complaint_recurrence"))
        conn.execute(text("DELETE FROM recurring_groups"))
    engine.dispose()
    app, client = start_service(svc.url, demo_model)
    with client:
        again = Service(client=client, app=app, url=svc.url)
        again.keys = create_keys(app.state.db)
        g = drain_group(again.get("/v1/recurring", params=PERIOD).json()["items"], ids)
        assert set(g["complaint_ids"]) == {ids[k] for k, *_ in DRAIN}


def test_analysts_get_group_labels_and_area_names_masked(svc):
    from sqlalchemy import create_engine, text

    ids = submit_scenario(svc)
    phone = "081234567890"
    engine = create_engine(svc.url)
    with engine.begin() as conn:  # a label and kelurahan as typed, with a phone number in them
        conn.execute(text("UPDATE recurring_groups SET label = label || ' ' || :p, kelurahan = kelurahan || ' ' || :p"),
                     {"p": phone})
    engine.dispose()
    for path, params in (("/v1/recurring", PERIOD), (f"/v1/complaints/{ids['d1']}/recurring", None)):
        assert phone in svc.get(path, params=params).text  # operators: as stored
        seen = svc.get(path, role="analyst", params=params)
        assert seen.status_code == 200 and phone not in seen.text and "[TELEPON]" in seen.text
