"""Fixtures for the service suites: a migrated database per backend (SQLite and PostgreSQL), an app, keys.

Import with ``from service_fixtures import *`` in a test module. PostgreSQL tests use a schema unique to
the test session (dropped at the end), so parallel runs on one server do not collide; they are skipped
with a message only when the server at ``LAPOR_TEST_PG_URL`` (default 127.0.0.1:5432/test) is unreachable.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("LAPOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TABLES = ("responses", "decisions", "triage_results", "complaints", "api_keys")


def pg_available() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _migrated_sqlite(tmp: Path) -> str:
    from service.migrations import upgrade

    url = f"sqlite:///{tmp / 'service.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A migrated, empty database: a SQLite file, or a fresh PostgreSQL schema."""
    from service.migrations import upgrade

    if request.param == "sqlite":
        yield _migrated_sqlite(tmp_path_factory.mktemp("sqlite"))
        return
    problem = pg_available()
    if problem:
        pytest.skip(f"PostgreSQL at {PG_URL} is unreachable ({problem}); CI starts it — run the PostgreSQL "
                    "half there or start a local server")
    schema = f"lt_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def wipe(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if url.startswith("sqlite"):
            for t in TABLES:
                conn.execute(text(f"DELETE FROM {t}"))
        else:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()


def make_settings(url: str, model_dir: Path, **overrides):
    from service.settings import ServiceSettings

    values = dict(database_url=url, model_dir=model_dir, rate_limit_per_second=0, key_cache_seconds=0.0,
                  sqlite_synchronous="NORMAL", db_pool_size=5)
    values.update(overrides)
    return ServiceSettings(**values)


@dataclass
class Service:
    client: object
    app: object
    url: str
    keys: dict[str, str] = field(default_factory=dict)

    def auth(self, role: str = "operator") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    @property
    def db(self):
        return self.app.state.db

    def post(self, path: str, json=None, role: str = "operator", **kw):
        return self.client.post(path, json=json, headers=self.auth(role), **kw)

    def get(self, path: str, role: str = "operator", **kw):
        return self.client.get(path, headers=self.auth(role), **kw)

    def submit(self, text: str = "Jalan rusak parah di desa Onto, mohon segera diperbaiki.", **fields) -> dict:
        r = self.post("/v1/complaints", {"text": text, **fields})
        assert r.status_code in (200, 201), r.text
        return r.json()


def create_keys(db) -> dict[str, str]:
    from service.auth import create_key

    keys = {}
    with db.session(write=True) as session, session.begin():
        for role in ("operator", "analyst", "admin"):
            _, keys[role] = create_key(session, role, f"test-{role}")
    return keys


def start_service(url: str, model_dir: Path, triage=None, **overrides):
    from fastapi.testclient import TestClient

    from service.app import create_app

    app = create_app(make_settings(url, model_dir, **overrides), triage=triage)
    return app, TestClient(app)


@pytest.fixture
def svc(database_url, demo_model):
    """A running app (lifespan started) on a wiped database, with one key per role."""
    wipe(database_url)
    app, client = start_service(database_url, demo_model)
    with client:
        service = Service(client=client, app=app, url=database_url)
        service.keys = create_keys(app.state.db)
        yield service
