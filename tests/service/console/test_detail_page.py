"""The complaint page says when the citizen reported a complaint when that is not when it reached the service (a
LAPOR! export or a backlog imported later): the deadline runs from the report, the queue's waiting time from
its arrival, and the operator sees both."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from test_console import login


def submit(client, text: str, submitted_at: datetime | None = None) -> int:
    body = {"text": text, "kelurahan": "Benteng", "kecamatan": "Benteng"}
    if submitted_at is not None:
        body["submitted_at"] = submitted_at.isoformat()
    r = client.post("/v1/complaints", json=body, headers={"Authorization": f"Bearer {client.keys['operator']}"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_the_report_time_is_shown_when_it_is_not_the_arrival_time(console_client):
    c = console_client
    reported = datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)  # 09:30 WITA
    imported = submit(c, "Lampu jalan di depan pasar Benteng mati sejak minggu lalu.", reported)
    direct = submit(c, "Jalan berlubang di dekat pelabuhan Benteng, mohon diperbaiki.",
                    datetime.now(timezone.utc) - timedelta(seconds=5))
    login(c)
    page = c.get(f"/pengaduan/{imported}").text
    assert '<dt>Dilaporkan</dt><dd id="dilaporkan">2 Mar 2026 09:30 WITA</dd>' in page
    assert "<dt>Diterima</dt>" in page
    page = c.get(f"/pengaduan/{direct}").text
    assert "Dilaporkan" not in page and "<dt>Diterima</dt>" in page
