"""The duplicate index file format (used by :meth:`DuplicateFinder.save`/``load``): one ``.npz`` file, self-verifying, replaced atomically.

- Only numpy arrays are stored (``allow_pickle=False`` on load): loading never executes code.
- A JSON header inside the file lists the sha256 of every array; a mismatch, a missing array or an
  unknown format refuses to load, naming the file.
- The file is written to a temporary sibling, flushed and fsync'ed, then renamed over the target:
  a crash at any moment leaves either the previous index or the new one, never a torn file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from pipeline import __version__
from pipeline.errors import ArtifactError

FORMAT = "lapor-triage/dedup-index"
FORMAT_VERSION = 3  # 2: exact-text keys from Document.same_text (cleaned, PII-masked text); 3: problem classes
PARAMS = ("window_days", "top_k", "threshold", "max_candidates", "posting_budget", "idf_prior", "min_score")


def _sha(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def write_index(path, arrays: dict[str, np.ndarray], params: dict, documents: int) -> Path:
    """Write the arrays of an index (:meth:`DuplicateFinder.to_arrays`) with their verifying header."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = dict(arrays)
    header = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "lapor_triage": __version__,
        "params": params, "documents": documents,
        "sha256": {name: _sha(a) for name, a in arrays.items()},
    }
    arrays["header"] = np.frombuffer(json.dumps(header, sort_keys=True).encode("utf-8"), dtype=np.uint8)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_index(path) -> tuple[dict, dict[str, np.ndarray]]:
    """(parameters, arrays) of a saved index, after checking its format and every array's sha256."""
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"{path}: duplicate index not found")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ArtifactError(f"{path}: not a readable duplicate index ({exc})") from None
    try:
        header = json.loads(arrays.pop("header").tobytes().decode("utf-8"))
    except (KeyError, ValueError, UnicodeDecodeError):
        raise ArtifactError(f"{path}: duplicate index has no valid header; refusing to load") from None
    if header.get("format") != FORMAT or header.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"{path}: unsupported index format {header.get('format')!r} "
                            f"version {header.get('format_version')!r}")
    expected = header.get("sha256", {})
    if set(expected) != set(arrays):
        raise ArtifactError(f"{path}: index arrays do not match its header; refusing to load")
    for name, a in arrays.items():
        if _sha(a) != expected[name]:
            raise ArtifactError(f"{path}: sha256 mismatch in '{name}'; the index is damaged, rebuild it")

    return header["params"], arrays
