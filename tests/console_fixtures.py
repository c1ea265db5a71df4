"""Fixtures for the console suites: a seeded service (demo model, demo complaints) on a temp SQLite file.

Import with ``from console_fixtures import *``. The complaints are submitted through the API like any
client would. Two things are test stand-ins, both documented here:

- ``word_screener``: a tiny screener with the output shape of ``pipeline.screening`` (``flagged``,
  ``categories``, ``evidence`` spans in the original text, ``reason``), so the console's flag display is
  exercised whether or not the real screener is in the model bundle;
- ``spread_over_weeks``: after intake, received/routed times are moved back over the last weeks (one SQL
  update) so the dashboard has more than one week to draw.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from service_fixtures import create_keys, make_settings

REPO = Path(__file__).resolve().parents[1]
BACKLOG = REPO / "pipeline" / "tenants" / "selayar" / "backlog.csv"
ARTIFACTS = REPO / "test-artifacts" / "console"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

SCREEN_WORDS = {"bodoh": "abusive", "goblok": "abusive", "bakar": "provocation"}
FLAGGED_TEXT = ("Petugas loket Disdukcapil itu bodoh sekali, sudah 3 kali sy datang urus KTP el tetap "
                "tidak selesai. Hubungi sy di 0812-3456-7890. Mohon ditindak.")
PII_TEXT = ("Lampu jalan di depan SD Inpres Benteng mati sudah 2 minggu, jalan gelap dan rawan. "
            "NIK sy 7301012345670001, hp 081234567890.")


def word_screener(df: pd.DataFrame) -> list[dict]:
    out = []
    for raw in df["text"]:
        evidence = []
        for word, cat in SCREEN_WORDS.items():
            for m in re.finditer(rf"\b{word}\b", raw, re.IGNORECASE):
                evidence.append({"category": cat, "start": m.start(), "end": m.end(), "text": m.group(0),
                                 "score": 0.97})
        cats = sorted({e["category"] for e in evidence})
        out.append({"flagged": bool(evidence), "categories": cats, "evidence": evidence,
                    "reason": ("kata kasar/makian ditujukan kepada petugas" if evidence else "tidak ada temuan")})
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Seeded:
    ids: list[int] = field(default_factory=list)
    flagged_id: int | None = None
    duplicate_id: int | None = None
    pii_id: int | None = None


def seed(client, headers: dict, db_url: str, n_backlog: int = 14) -> Seeded:
    """Submit demo complaints through the API; spread them over weeks; record a few OPD responses."""
    from sqlalchemy import create_engine

    df = pd.read_csv(BACKLOG, keep_default_na=False).head(n_backlog)
    out = Seeded()
    for r in df.itertuples():
        body = {"text": r.text, "external_id": r.id, "channel": "web"}
        for k in ("kecamatan", "kelurahan", "address"):
            if getattr(r, k):
                body[k] = getattr(r, k)
        resp = client.post("/v1/complaints", json=body, headers=headers)
        assert resp.status_code == 201, resp.text
        out.ids.append(resp.json()["id"])
    for text_, attr, extra in ((FLAGGED_TEXT, "flagged_id", {"kecamatan": "Benteng", "kelurahan": "Benteng"}),
                               (PII_TEXT, "pii_id", {"kecamatan": "Benteng", "kelurahan": "Benteng Utara"}),
                               (df.iloc[1]["text"], "duplicate_id", {"kecamatan": "Pasimarannu",
                                                                      "kelurahan": "Lambego", "channel": "sms"})):
        resp = client.post("/v1/complaints", json={"text": text_, **extra}, headers=headers)
        assert resp.status_code == 201, resp.text
        setattr(out, attr, resp.json()["id"])
        out.ids.append(resp.json()["id"])
    spread_over_weeks(db_url, out.ids)
    # a few OPD answers, so time-to-response has numbers
    listing = client.get("/v1/complaints", params={"status": "routed", "limit": 500}, headers=headers).json()
    for i, c in enumerate(listing["items"][:6]):
        when = datetime.fromisoformat(c["received_at"]) + timedelta(hours=5 + 19 * i)
        resp = client.post(f"/v1/complaints/{c['id']}/response",
                           json={"text": "Sudah ditindaklanjuti oleh petugas lapangan.", "responded_at": when.isoformat()},
                           headers=headers)
        assert resp.status_code == 201, resp.text
    return out


def spread_over_weeks(db_url: str, ids: list[int]) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with engine.begin() as conn:
        ordered = sorted(ids)
        for i, cid in enumerate(ordered):  # oldest first, five weeks ago … a few hours ago
            received = now - timedelta(days=35 * (1 - i / len(ordered)), hours=3 + i % 5)
            conn.execute(text("UPDATE complaints SET received_at = :r, "
                              "routed_at = CASE WHEN routed_at IS NULL THEN NULL ELSE :routed END WHERE id = :id"),
                         {"r": received, "routed": received + timedelta(seconds=2), "id": cid})
    engine.dispose()


def console_triage(model_dir: Path):
    from service.app import load_model
    from service.triage import Triage

    return Triage.from_model(load_model(str(Path(model_dir).resolve())), screener=word_screener)


@dataclass
class LiveServer:
    url: str
    db_url: str
    keys: dict[str, str]
    seeded: Seeded
    app: object

    def auth(self, role: str = "operator") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


@pytest.fixture(scope="session")
def live_console(demo_model, tmp_path_factory):
    """uvicorn on 127.0.0.1:<free port> in a thread, with a migrated temp SQLite database and demo data."""
    import httpx
    import uvicorn

    from service.app import create_app
    from service.migrations import upgrade

    tmp = tmp_path_factory.mktemp("console")
    db_url = f"sqlite:///{tmp / 'console.db'}"
    upgrade(db_url)
    port = free_port()
    app = create_app(make_settings(db_url, demo_model), triage=console_triage(demo_model))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, name="console-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start for the console tests")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        keys = create_keys(app.state.db)
        with httpx.Client(base_url=url, timeout=30) as client:
            seeded = seed(client, {"Authorization": f"Bearer {keys['operator']}"}, db_url)
        yield LiveServer(url=url, db_url=db_url, keys=keys, seeded=seeded, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def console_client(demo_model, tmp_path):
    """A TestClient on a fresh seeded database (for the non-browser tests)."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.migrations import upgrade

    db_url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(db_url)
    app = create_app(make_settings(db_url, demo_model), triage=console_triage(demo_model))
    with TestClient(app, base_url="http://testserver") as client:
        keys = create_keys(app.state.db)
        seeded = seed(client, {"Authorization": f"Bearer {keys['operator']}"}, db_url, n_backlog=6)
        client.keys = keys
        client.seeded = seeded
        client.db_url = db_url
        yield client
