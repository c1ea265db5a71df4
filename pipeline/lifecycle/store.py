"""A directory of model versions: ``<store>/<version>/`` holds one verified model directory per version.

A version's directory is written once (``save_bundle`` stages and renames it into place) and never changed;
loading goes through :func:`pipeline.artifacts.load_bundle`, which checks every sha256 first.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from pipeline.artifacts import umask_mode, verify_bundle
from pipeline.errors import ArtifactError

VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,99}$")


def new_version() -> str:
    """A fresh version name in the shape ``save_bundle`` gives: UTC time, then a random suffix."""
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(5)}"


class ModelStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, version: str) -> Path:
        if not VERSION_PATTERN.match(version or ""):
            raise ArtifactError(f"{version!r} is not a model version name")
        return self.root / version

    def has(self, version: str) -> bool:
        return (self.path(version) / "manifest.json").is_file()

    def import_dir(self, model_dir: str | Path) -> tuple[str, Path]:
        """Copy a verified model directory into the store under its own version (no-op when already there)."""
        manifest = verify_bundle(model_dir)
        version = manifest["model_version"]
        target = self.path(version)
        if self.has(version):
            return version, target
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=self.root))
        try:
            for item in Path(model_dir).iterdir():
                if item.is_file() and not item.name.startswith("."):
                    shutil.copy2(item, staging / item.name)
            staging.chmod(umask_mode(0o777))
            verify_bundle(staging)
            try:
                os.replace(staging, target)  # another process may have imported it meanwhile: theirs stays
            except OSError:
                if not self.has(version):
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return version, target
