"""Runtime settings from environment variables (``LAPOR_*``), read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    model_dir: Path
    demo_tenant_dir: Path
    screening_data: Path | None
    chunk_size: int
    workers: int
    log_level: str

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            model_dir=Path(os.environ.get("LAPOR_MODEL_DIR", "models/default")),
            demo_tenant_dir=Path(os.environ.get("LAPOR_DEMO_TENANT_DIR", PACKAGE_DIR / "tenants" / "selayar")),
            screening_data=Path(os.environ["LAPOR_SCREENING_DATA"]) if os.environ.get("LAPOR_SCREENING_DATA") else None,
            chunk_size=int(os.environ.get("LAPOR_CHUNK_SIZE", "2000")),
            workers=int(os.environ.get("LAPOR_WORKERS", "1")),
            log_level=os.environ.get("LAPOR_LOG_LEVEL", "INFO").upper(),
        )
