"""The project's one settings object: every ``LAPOR_*`` environment variable, read when it is built.

Batch commands (``lapor-triage predict …``) and the service (``serve``, the API, the console) read the same
:class:`Settings`; nothing reads the environment at import time and nothing writes it. Batch worker
processes (``LAPOR_WORKERS``) and server worker processes (``LAPOR_SERVER_WORKERS``) are separate settings.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DEMO_TENANT_DIR = PACKAGE_DIR / "tenants" / "selayar"
MAX_TEXT_CHARS = 20_000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAPOR_", extra="ignore", protected_namespaces=())

    # -- shared ------------------------------------------------------------------------------------
    model_dir: Path = Field(Path("models/default"), description="model directory (build-default, demo, serve)")
    demo_tenant_dir: Path = Field(DEMO_TENANT_DIR, description="demo tenant data (units, areas, complaints)")
    tenant_dir: Path | None = Field(None, description="the served tenant's data (time zone, holidays, deadlines, "
                                                      "units); default: the demo tenant")
    model_store_dir: Path | None = Field(None, description="versioned model directories of the model registry "
                                                          "(one per version); default: 'versions' beside LAPOR_MODEL_DIR")
    log_level: str = "INFO"
    # -- batch -------------------------------------------------------------------------------------
    screening_data: Path | None = Field(None, description="labelled screening data for build-default")
    shared_data: Path = Field(PACKAGE_DIR.parent.parent / "shared" / "data",
                              description="the real data folder (../shared/data); when it holds the Surabaya "
                                          "complaints, build-default fits the accusation detector on the hand labels")
    chunk_size: int = Field(2000, ge=1, description="rows per batch chunk")
    workers: int = Field(1, ge=1, description="worker processes for batch commands (predict, screen, dedup)")
    dask_scheduler: str | None = Field(None, description="Dask scheduler address for --engine dask, tcp://HOST:PORT")
    max_text_chars: int = Field(MAX_TEXT_CHARS, ge=1, description="longest complaint text a batch command "
                                "processes; longer rows get an error (the API refuses them too)")
    # -- service -----------------------------------------------------------------------------------
    database_url: str = Field("sqlite:///lapor.db", description="SQLAlchemy URL; SQLite runs in WAL mode")
    sqlite_synchronous: str = Field("FULL", description="SQLite PRAGMA synchronous (FULL = fsync per commit)")
    db_pool_size: int = 10
    host: str = "127.0.0.1"
    port: int = 8000
    server_workers: int = Field(1, ge=1, description="uvicorn worker processes for 'serve'")
    max_body_bytes: int = 1_000_000
    batch_max_items: int = Field(1000, ge=1, description="most complaints in one POST /v1/complaints/batch")
    ingest_max_batch: int = Field(64, ge=1, description="most complaints triaged and committed in one micro-batch")
    ingest_workers: int = Field(2, ge=1, description="intake worker threads (triage runs off the event loop, on "
                                                     "these); one slow micro-batch holds only one of them")
    rate_limit_per_second: float = Field(50.0, description="per API key (per process without LAPOR_REDIS_URL); "
                                                           "0 disables the limit")
    rate_limit_burst: int = 200
    redis_url: str | None = Field(None, description="Redis for limits shared by all server processes, e.g. "
                                                    "redis://127.0.0.1:6379/0 (default: per process)")
    redis_prefix: str = Field("lapor:", description="prefix of every Redis key (one per deployment)")
    key_cache_seconds: float = Field(5.0, description="how long a key lookup is cached (revocation delay)")
    default_page_size: int = Field(50, ge=1, description="page size of list endpoints when ?limit= is absent")
    max_page_size: int = Field(500, ge=1, description="largest ?limit= a list endpoint accepts")
    console_secret: str | None = Field(None, description="signs console notices (sessions are database rows); set "
                                                         "it in production (default: a random per-process secret)")
    console_secure_cookie: bool = Field(False, description="mark the session cookie Secure (behind a TLS proxy)")
    console_tz: str | None = Field(None, description="time zone operators read times in, e.g. Asia/Makassar "
                                                     "(default: the tenant's time zone)")
    open311_public: bool = Field(False, description="Open311 GeoReport v2 (/open311/v2/…) readable without an API "
                                                    "key; off: any valid key (api_key=… or the Authorization header)")
    duplicate_window_days: float = Field(60.0, description="near-duplicate search window; 0 turns the index off")
    decision_memory: bool = Field(True, description="blend suggestions with the nearest recently decided complaints "
                                                    "and apply the tenant's handling_policy.csv (service/learning.py)")
    model_poll_seconds: float = Field(2.0, gt=0, description="how often each server process looks up the "
                                                            "registry's active model version (switch delay)")
    retrain_base_data: Path | None = Field(None, description="base training data of a retrain (default: the file the "
                                                             "active model was trained on, from its manifest)")
    retrain_holdout_fraction: float = Field(0.2, gt=0, lt=1, description="latest share of decided complaints held "
                                            "out of a retrain to compare candidate and active model")
    retrain_min_holdout: int = Field(5, ge=1, description="fewest decided complaints in the comparison hold-out")
    health_drift_margin: float = Field(0.10, ge=0, le=1, description="model health warns when the top-1 accuracy "
                                       "of suggestions on recent decisions is this far below validation top-1")
    retrain_timeout_seconds: float = Field(3600.0, gt=0, description="a retrain without result after this long "
                                                                     "is marked failed (its server stopped)")
    retrain_heartbeat_seconds: float = Field(10.0, gt=0, description="how often the server process that runs a "
                                             "retrain says it is alive; a retrain silent for 3 × this + 5 s, or "
                                             "whose process is gone, is marked failed")
    recurring_window_days: float = Field(180.0, description="recurring problems: a report links to reports at "
                                                            "most this many days older; 0 turns grouping off")

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("screening_data", "tenant_dir", "model_store_dir", "retrain_base_data", "console_tz", "console_secret", "dask_scheduler",
                     "redis_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def model_store(self) -> Path:
        return self.model_store_dir or Path(self.model_dir).parent / "versions"

    @property
    def served_tenant_dir(self) -> Path:
        return self.tenant_dir or self.demo_tenant_dir

    @classmethod
    def from_env(cls) -> "Settings":
        """The settings of this process, read from the environment now (kept for the batch CLI's callers)."""
        return cls()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, built on first use (never at import)."""
    return Settings()
