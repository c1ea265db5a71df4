"""Service settings from ``LAPOR_*`` environment variables (pydantic-settings), read in one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_TEXT_CHARS = 20_000


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAPOR_", extra="ignore", protected_namespaces=())

    database_url: str = Field("sqlite:///lapor.db", description="SQLAlchemy URL; SQLite runs in WAL mode")
    sqlite_synchronous: str = Field("FULL", description="SQLite PRAGMA synchronous (FULL = fsync per commit)")
    db_pool_size: int = 10
    model_dir: Path = Path("models/default")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    max_body_bytes: int = 1_000_000
    batch_max_items: int = 1000
    ingest_max_batch: int = 64
    rate_limit_per_second: float = Field(50.0, description="per API key and process; 0 disables the limit")
    rate_limit_burst: int = 200
    key_cache_seconds: float = Field(5.0, description="how long a key lookup is cached (revocation delay)")
    default_page_size: int = 50
    max_page_size: int = 500
    log_level: str = "INFO"
    console_secret: str | None = Field(None, description="signs console sessions; set it in production and with "
                                                         "several workers (default: a random per-process secret)")
    console_secure_cookie: bool = Field(False, description="mark the session cookie Secure (behind a TLS proxy)")
    console_tz: str = Field("UTC", description="time zone operators read times in, e.g. Asia/Makassar")
    duplicate_window_days: float = Field(60.0, description="near-duplicate search window; 0 turns the index off")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> ServiceSettings:
    return ServiceSettings()
