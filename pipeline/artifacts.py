"""Model directories: artifacts plus a manifest, verified by sha256 before anything is unpickled.

joblib files execute code when loaded (each holds one pickled blob, see :class:`_Packed`), so ``load_bundle`` checks every artifact against the
manifest first and refuses a mismatch, a missing file, or an artifact the manifest does not list.
Directories are written to a temporary sibling and renamed into place, so a crash mid-save never
leaves a half-written model where a good one was; they get the permissions the umask allows (a model
on a shared drive must be readable by the team), not the 0700 of a temporary directory.

Signed manifests: with ``LAPOR_MODEL_SIGNING_KEY`` set, ``save_bundle`` adds an HMAC-SHA256 of the
manifest (which lists every artifact's sha256), and loading refuses a model whose manifest is not
signed with that key before anything is unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import pickle
import platform
import shutil
import tempfile
import threading
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import joblib

from pipeline import __version__
from pipeline.errors import ArtifactError

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
TRACKED_LIBRARIES = ("scikit-learn", "numpy", "scipy", "joblib", "PySastrawi", "spacy", "pandas")
# pickles are only portable within the same minor release of these
STRICT_LIBRARIES = ("scikit-learn",)
SIGNATURE = "signature"
SIGNING_KEY_ENV = "LAPOR_MODEL_SIGNING_KEY"


def _signing_key() -> bytes | None:
    key = os.environ.get(SIGNING_KEY_ENV, "")
    return key.encode("utf-8") if key else None


def manifest_signature(manifest: dict, key: bytes) -> str:
    """HMAC-SHA256 over the canonical JSON of the manifest without its signature."""
    body = {k: v for k, v in manifest.items() if k != SIGNATURE}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def umask_mode(full: int) -> int:
    """``full`` (0o666 for files, 0o777 for directories) as the process umask allows it."""
    mask = os.umask(0)
    os.umask(mask)
    return full & ~mask


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "lapor-triage": __version__}
    for name in TRACKED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _unpack(data: bytes):
    return pickle.loads(data)


class _Packed:
    """An object stored as one C-pickled blob inside the joblib file: loading then runs the C unpickler
    (joblib's own is pure Python, slow on the vocabularies' hundreds of thousands of small objects).
    Files and manifests stay as they were; older artifacts (plain joblib) load as before."""

    def __init__(self, obj):
        self.obj = obj

    def __reduce__(self):
        return _unpack, (pickle.dumps(self.obj, protocol=pickle.HIGHEST_PROTOCOL),)


def save_bundle(out_dir: str | Path, components: dict[str, object], manifest: dict) -> dict:
    """Write ``components`` (name → object) as joblib artifacts with a manifest; return the manifest."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        artifacts = {}
        for name, obj in components.items():
            path = staging / f"{name}.joblib"
            joblib.dump(_Packed(obj), path, compress=3)
            artifacts[name] = {"file": path.name, "sha256": sha256_file(path), "bytes": path.stat().st_size}
        created = datetime.now(timezone.utc)
        digest = hashlib.sha256("".join(a["sha256"] for a in artifacts.values()).encode()).hexdigest()
        full = {
            "format_version": FORMAT_VERSION,
            "model_version": f"{created:%Y%m%dT%H%M%SZ}-{digest[:10]}",
            "created_at": created.isoformat(timespec="seconds"),
            "libraries": library_versions(),
            **{k: v for k, v in manifest.items() if k != SIGNATURE},
            "artifacts": artifacts,
        }
        key = _signing_key()
        if key is not None:
            full[SIGNATURE] = {"algorithm": "hmac-sha256", "value": manifest_signature(full, key)}
        (staging / MANIFEST).write_text(json.dumps(full, indent=2, ensure_ascii=False), encoding="utf-8")
        for path in staging.iterdir():
            path.chmod(umask_mode(0o666))
        staging.chmod(umask_mode(0o777))
        _swap_into_place(staging, out_dir)
        return full
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    if out_dir.exists() and not (out_dir / MANIFEST).exists() and any(out_dir.iterdir()):
        raise ArtifactError(f"{out_dir}: exists and is not a model directory; choose another --out")
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(model_dir: str | Path) -> dict:
    model_dir = Path(model_dir)
    path = model_dir / MANIFEST
    if not path.is_file():
        raise ArtifactError(f"{model_dir}: not a model directory (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ArtifactError(f"{path}: manifest is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION \
            or not isinstance(manifest.get("artifacts"), dict):
        version = manifest.get("format_version") if isinstance(manifest, dict) else None
        raise ArtifactError(f"{path}: unsupported manifest format {version!r}")
    _check_fields(manifest, path)
    _check_signature(manifest, path)
    return manifest


def _check_fields(manifest: dict, path: Path) -> None:
    """Every field loading relies on, present and well-formed: a broken manifest is one clear line."""
    if not isinstance(manifest.get("model_version"), str) or not manifest["model_version"]:
        raise ArtifactError(f"{path}: manifest has no 'model_version'")
    for name, art in manifest["artifacts"].items():
        if not isinstance(art, dict) or not isinstance(art.get("file"), str) or not art["file"]:
            raise ArtifactError(f"{path}: artifact '{name}' has no 'file'")
        digest = art.get("sha256")
        if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ArtifactError(f"{path}: artifact '{name}' has no valid 'sha256'; refusing to load it unverified")


def _check_signature(manifest: dict, path: Path) -> None:
    key = _signing_key()
    if key is None:
        return
    sig = manifest.get(SIGNATURE)
    value = sig.get("value") if isinstance(sig, dict) else None
    if not isinstance(value, str):
        raise ArtifactError(f"{path}: manifest is not signed and {SIGNING_KEY_ENV} is set; refusing to load")
    if not hmac.compare_digest(value, manifest_signature(manifest, key)):
        raise ArtifactError(f"{path}: manifest signature does not match {SIGNING_KEY_ENV}; refusing to load")


def _verified_bytes(model_dir: Path, name: str, art: dict) -> bytes:
    """The artifact's bytes, read once and checked, so what is unpickled is what was hashed."""
    if Path(art["file"]).name != art["file"]:
        raise ArtifactError(f"{model_dir}: artifact '{name}' has a path outside the model directory")
    path = model_dir / art["file"]
    if not path.is_file():
        raise ArtifactError(f"{path}: artifact '{name}' is missing")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != art["sha256"]:
        raise ArtifactError(
            f"{path}: sha256 mismatch (manifest {art['sha256'][:12]}…, file {actual[:12]}…); refusing to load"
        )
    return data


def verify_bundle(model_dir: str | Path) -> dict:
    """Check every artifact's sha256 and that nothing unlisted sits beside them."""
    model_dir = Path(model_dir)
    manifest = read_manifest(model_dir)
    for name, art in manifest["artifacts"].items():
        _verified_bytes(model_dir, name, art)
    _check_directory(model_dir, manifest)
    return manifest


def _check_directory(model_dir: Path, manifest: dict) -> None:
    listed = {art["file"] for art in manifest["artifacts"].values()}
    stray = sorted(p.name for p in model_dir.glob("*.joblib") if p.name not in listed)
    if stray:
        raise ArtifactError(f"{model_dir}: unlisted artifact(s) {', '.join(stray)}; refusing to load")
    _check_libraries(manifest, model_dir)
    return manifest


def _check_libraries(manifest: dict, model_dir: Path) -> None:
    built = manifest.get("libraries", {})
    now = library_versions()
    for lib in STRICT_LIBRARIES:
        b, n = built.get(lib, "?"), now.get(lib, "?")
        if b.split(".")[:2] != n.split(".")[:2]:
            raise ArtifactError(f"{model_dir}: built with {lib} {b}, this environment has {n}; retrain the model")
    for lib, b in built.items():
        if lib not in STRICT_LIBRARIES and now.get(lib) != b:
            log.warning("%s: built with %s %s, running %s", model_dir, lib, b, now.get(lib))


_CACHE: dict[tuple[str, str], tuple[dict, dict]] = {}
CACHE_VERSIONS = 4
_LOCK = threading.Lock()


def load_bundle(model_dir: str | Path) -> tuple[dict, dict]:
    """Verified components and manifest; loaded once per process per model version."""
    model_dir = Path(model_dir).resolve()
    with _LOCK:
        manifest = read_manifest(model_dir)
        _check_directory(model_dir, manifest)
        key = (str(model_dir), manifest["model_version"])
        if key not in _CACHE:
            components = {
                name: joblib.load(io.BytesIO(_verified_bytes(model_dir, name, art)))
                for name, art in manifest["artifacts"].items()
            }
            while len(_CACHE) >= CACHE_VERSIONS:  # a server that switches models keeps only the latest few
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = (components, manifest)
        return _CACHE[key]
