"""Engines and sessions: SQLite (WAL, immediate write transactions) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from service.settings import ServiceSettings


def make_engine(settings: ServiceSettings) -> Engine:
    url = settings.database_url
    if settings.is_sqlite:
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=settings.db_pool_size, max_overflow=20)
        synchronous = settings.sqlite_synchronous.upper()
        if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError(f"LAPOR_SQLITE_SYNCHRONOUS: unknown value {synchronous!r}")

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # transactions are begun explicitly below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            # writers take the lock up front: no deadlock when a reader upgrades to a writer
            mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, pool_size=settings.db_pool_size, max_overflow=20, pool_pre_ping=True)


class Database:
    """An engine with a read session factory and a write session factory."""

    def __init__(self, settings: ServiceSettings, engine: Engine | None = None):
        self.settings = settings
        self.engine = engine or make_engine(settings)
        self.read = sessionmaker(self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(sqlite_write=True) if settings.is_sqlite else self.engine
        self.write = sessionmaker(writer, expire_on_commit=False)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()

    def session(self, write: bool = False) -> Session:
        return (self.write if write else self.read)()
