"""A model directory shipped to Dask workers: once per worker process, verified there before loading.

The client reads the model directory (manifest + artifacts) once and wraps the bytes in a
:class:`ModelPlugin`. Dask hands a registered plugin to every worker — also to a worker that joins or
is restarted later — and the plugin writes the files into the worker's local directory, checks the
manifest's sha256 against the digest the client computed, and loads the bundle with
:func:`pipeline.artifacts.load_bundle`, which checks every artifact's sha256 against the manifest before
unpickling. Tasks then find the loaded components by digest: no task carries the model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.artifacts import MANIFEST, load_bundle, verify_bundle
from pipeline.errors import ArtifactError

log = logging.getLogger(__name__)

_LOADED: dict[str, Path] = {}  # digest → verified, loaded model directory, per worker process


@dataclass(frozen=True)
class ModelFiles:
    """The bytes of a model directory and the sha256 of its manifest (which lists every artifact's sha256)."""

    digest: str
    files: dict[str, bytes]

    @classmethod
    def read(cls, model_dir: str | Path) -> "ModelFiles":
        model_dir = Path(model_dir)
        manifest = verify_bundle(model_dir)  # refuse to ship what could not be loaded here
        names = [MANIFEST, *(art["file"] for art in manifest["artifacts"].values())]
        files = {name: (model_dir / name).read_bytes() for name in names}
        return cls(hashlib.sha256(files[MANIFEST]).hexdigest(), files)

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.files.values())


def materialise(model: ModelFiles, root: str | Path) -> Path:
    """Write ``model`` under ``root``, verify it, load it (once per process); the local model directory."""
    if model.digest in _LOADED:
        return _LOADED[model.digest]
    actual = hashlib.sha256(model.files[MANIFEST]).hexdigest()
    if actual != model.digest:
        raise ArtifactError(f"shipped model manifest sha256 {actual[:12]}… does not match {model.digest[:12]}…; "
                            "refusing to load")
    target = Path(root) / f"lapor-model-{model.digest[:16]}"
    if not (target / MANIFEST).is_file():
        Path(root).mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".lapor-model-", dir=root))
        for name, data in model.files.items():
            (staging / Path(name).name).write_bytes(data)
        try:
            os.replace(staging, target)
        except OSError:  # another process of this host won the race; its copy is checked below
            for p in staging.iterdir():
                p.unlink()
            staging.rmdir()
    if hashlib.sha256((target / MANIFEST).read_bytes()).hexdigest() != model.digest:
        raise ArtifactError(f"{target}: manifest does not match the shipped model; refusing to load")
    _, manifest = load_bundle(target)  # sha256 of every artifact checked before unpickling; cached per process
    log.info("model %s loaded on this worker from %s", manifest["model_version"], target)
    _LOADED[model.digest] = target
    return target


def loaded(digest: str) -> Path:
    """The model directory shipped to, verified and loaded by this worker process (see :class:`ModelPlugin`)."""
    try:
        return _LOADED[digest]
    except KeyError:
        raise ArtifactError(f"model {digest[:12]}… was not shipped to this worker") from None


try:  # dask is an optional extra: pip install 'lapor-triage[dask]'
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - the engine reports the missing extra before it gets here
    WorkerPlugin = object


class ModelPlugin(WorkerPlugin):
    """Materialises the shipped model when a worker starts (or at once on workers already running)."""

    def __init__(self, files: ModelFiles):
        self.files = files
        self.name = f"lapor-model-{files.digest[:16]}"

    def setup(self, worker) -> None:
        materialise(self.files, worker.local_directory)
