"""Open311 GeoReport v2 (read): services are the tenant's units, requests are public complaints only."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

from fixtures.service_app import *  # noqa: F401,F403
from fixtures.service_app import Service, create_keys, start_service, wipe

ROAD = "Jalan poros desa Bontosaile berlubang besar, motor sering jatuh. Hubungi saya di 081234567890."
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "requested_datetime", "updated_datetime", "expected_datetime", "address"}


def seconds(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(microsecond=0)


def decide(svc, cid, **body):
    r = svc.post(f"/v1/complaints/{cid}/decision", body)
    assert r.status_code == 200, r.text
    return r.json()["complaint"]


def test_services_are_the_tenants_units(svc):
    r = svc.get("/open311/v2/services.json")
    assert r.status_code == 200, r.text
    services = r.json()
    assert isinstance(services, list)
    by_name = {s["service_name"]: s for s in services}
    assert set(by_name) == set(svc.app.state.tenant.units)
    health = by_name["Dinas Kesehatan"]
    assert health["service_code"] == "dinas-kesehatan"
    assert health["metadata"] is False and health["type"] == "realtime" and health["group"] == "dinas"
    assert "Dinkes" in health["keywords"].split(", ") and "puskesmas" in health["description"]
    assert by_name["Kecamatan Benteng"]["group"] == "kecamatan"
    assert len({s["service_code"] for s in services}) == len(services)


def test_services_xml_has_the_same_services(svc):
    r = svc.get("/open311/v2/services.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert codes == [s["service_code"] for s in svc.get("/open311/v2/services.json").json()]
    assert root.find("service/metadata").text == "false"


def test_requests_list_public_complaints_with_masked_text_and_deadline(svc):
    shown = svc.submit(ROAD, kecamatan="Pasimasunggu", kelurahan="Bontosaile", address="Dusun Barat")
    svc.submit("Lampu jalan mati di depan rumah saya sejak sebulan.", confidential=True)
    svc.submit("Guru honorer belum digaji tiga bulan, saya takut menyebut nama.", anonymous=True)
    r = svc.get("/open311/v2/requests.json")
    assert r.status_code == 200, r.text
    got = r.json()
    assert [g["service_request_id"] for g in got] == [str(shown["id"])]
    req = got[0]
    assert REQUEST_FIELDS <= set(req)
    assert req["status"] == "open"
    assert "081234567890" not in req["description"] and req["description"] == shown["masked_text"]
    assert req["address"] == "Dusun Barat, Bontosaile, Pasimasunggu"
    assert datetime.fromisoformat(req["requested_datetime"]) == seconds(shown["reported_at"])
    assert req["requested_datetime"].endswith("+08:00")  # the tenant's time zone (WITA)
    assert datetime.fromisoformat(req["expected_datetime"]) == seconds(shown["due_at"])


def test_routed_answered_and_done_requests(svc):
    c = svc.submit(ROAD, kecamatan="Pasimasunggu", kelurahan="Bontosaile")
    other = svc.submit("Puskesmas Benteng kekurangan obat, pasien disuruh beli di apotek luar.")
    if c["routed_opd"] is None:
        c = decide(svc, c["id"], action="route", opd="Dinas Pekerjaan Umum dan Penataan Ruang",
                   expected_version=c["version"])
    unit = c["routed_opd"]
    r = svc.post(f"/v1/complaints/{c['id']}/response", {"text": "Sudah ditambal tim UPT, hubungi 081299998888."})
    assert r.status_code == 201, r.text
    c = decide(svc, c["id"], action="done", expected_version=r.json()["complaint"]["version"])
    req, = svc.get(f"/open311/v2/requests/{c['id']}.json").json()
    assert req["status"] == "closed"
    assert req["agency_responsible"] == unit == req["service_name"]
    assert req["service_code"] in {s["service_code"] for s in svc.get("/open311/v2/services.json").json()}
    assert req["status_notes"].startswith("Sudah ditambal tim UPT") and "081299998888" not in req["status_notes"]
    closed = svc.get("/open311/v2/requests.json", params={"status": "closed"}).json()
    assert [x["service_request_id"] for x in closed] == [str(c["id"])]
    opened = svc.get("/open311/v2/requests.json", params={"status": "open"}).json()
    assert [x["service_request_id"] for x in opened] == [str(other["id"])]
    by_code = svc.get("/open311/v2/requests.json", params={"service_code": req["service_code"]}).json()
    assert [x["service_request_id"] for x in by_code] == [str(c["id"])]
    by_id = svc.get("/open311/v2/requests.json",
                    params={"service_request_id": f"{other['id']},{c['id']}", "status": "closed"}).json()
    assert sorted(x["service_request_id"] for x in by_id) == sorted([str(c["id"]), str(other["id"])])


def test_date_window_and_its_limit(svc):
    old = svc.submit(ROAD, submitted_at="2025-03-01T09:00:00+08:00")
    new = svc.submit("Sampah menumpuk di pasar Benteng, bau sekali.")
    recent = svc.get("/open311/v2/requests.json").json()  # default: the last 90 days
    assert [x["service_request_id"] for x in recent] == [str(new["id"])]
    window = svc.get("/open311/v2/requests.json", params={"start_date": "2025-02-01T00:00:00Z",
                                                          "end_date": "2025-04-01T00:00:00Z"}).json()
    assert [x["service_request_id"] for x in window] == [str(old["id"])]
    r = svc.get("/open311/v2/requests.json", params={"start_date": "2025-01-01T00:00:00Z",
                                                     "end_date": "2025-06-01T00:00:00Z"})
    assert r.status_code == 400
    assert r.json()[0]["code"] == 400 and "90 hari" in r.json()[0]["description"]


def test_one_request_is_a_list_and_confidential_is_not_found(svc):
    secret = svc.submit("Kepala sekolah meminta pungutan, mohon identitas saya dirahasiakan.", confidential=True)
    r = svc.get(f"/open311/v2/requests/{secret['id']}.json")
    assert r.status_code == 404
    err, = r.json()
    assert err["code"] == 404 and err["description"]
    r = svc.get(f"/open311/v2/requests/{secret['id']}.xml")
    assert r.status_code == 404 and ET.fromstring(r.content).find("error/code").text == "404"
    shown = svc.submit(ROAD)
    root = ET.fromstring(svc.get(f"/open311/v2/requests/{shown['id']}.xml").content)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == str(shown["id"])


def test_bad_arguments_are_georeport_errors(svc):
    for params in ({"status": "pending"}, {"service_code": "no-such-unit"}, {"start_date": "kemarin"},
                   {"service_request_id": "abc"}):
        r = svc.get("/open311/v2/requests.json", params=params)
        assert r.status_code == 400, (params, r.text)
        err, = r.json()
        assert err["code"] == 400 and err["description"], params


def test_key_required_unless_public(svc):
    r = svc.client.get("/open311/v2/services.json")
    assert r.status_code == 401 and r.json()[0]["code"] == 401 and "api_key" in r.json()[0]["description"]
    assert svc.client.get("/open311/v2/services.json", params={"api_key": "lt_wrong"}).status_code == 401
    ok = svc.client.get("/open311/v2/services.json", params={"api_key": svc.keys["analyst"]})
    assert ok.status_code == 200 and ok.json()


def test_public_read_is_a_setting(database_url, demo_model):
    wipe(database_url)
    app, client = start_service(database_url, demo_model, open311_public=True)
    with client:
        svc = Service(client=client, app=app, url=database_url)
        svc.keys = create_keys(app.state.db)
        svc.submit(ROAD)
        got = client.get("/open311/v2/requests.json")
        assert got.status_code == 200 and len(got.json()) == 1
        assert client.get("/open311/v2/services.json", params={"api_key": "lt_wrong"}).status_code == 401


def test_window_is_computed_from_now():
    from service.open311 import MAX_SPAN, RequestQuery

    now = datetime(2026, 12, 2, tzinfo=timezone.utc)
    assert RequestQuery().window(now) == (now - MAX_SPAN, now)
    start = now - timedelta(days=200)
    assert RequestQuery(start=start).window(now) == (start, start + MAX_SPAN)
