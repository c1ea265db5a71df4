"""Saving and loading a :class:`DuplicateFinder`: one ``.npz`` file, self-verifying, replaced atomically.

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
from array import array
from pathlib import Path

import numpy as np

from pipeline import __version__
from pipeline.errors import ArtifactError

FORMAT = "lapor-triage/dedup-index"
FORMAT_VERSION = 1
PARAMS = ("window_days", "top_k", "threshold", "max_candidates", "posting_budget", "idf_prior", "min_score")


def _sha(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _csr_of_dict(d: dict, key_dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys = np.array(sorted(d), dtype=key_dtype)
    lengths = np.fromiter((len(d[k]) for k in keys.tolist()), dtype=np.int64, count=len(keys))
    ptr = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    data = np.frombuffer(b"".join(d[k].tobytes() for k in keys.tolist()), dtype=np.int32)
    return keys, ptr, data


def _dict_of_csr(keys: np.ndarray, ptr: np.ndarray, data: np.ndarray) -> dict:
    out = {}
    raw = data.astype(np.int32).tobytes()
    p = ptr.tolist()
    for i, k in enumerate(keys.tolist()):
        a = array("i")
        a.frombytes(raw[4 * p[i] : 4 * p[i + 1]])
        out[k] = a
    return out


def index_arrays(finder) -> dict[str, np.ndarray]:
    finder._ready()
    ids = [s.encode("utf-8") for s in finder.ids_]
    ids_ptr = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in ids], out=ids_ptr[1:])
    post_keys, post_ptr, post_docs = _csr_of_dict(finder._post, np.uint32)
    ex_keys, ex_ptr, ex_docs = _csr_of_dict(finder._exact_map, np.uint64)
    pdf_keys = np.array(sorted(finder._place_df), dtype=np.uint32)
    pdf_counts = np.array([finder._place_df[k] for k in pdf_keys.tolist()], dtype=np.int64)
    return {
        "ids_blob": np.frombuffer(b"".join(ids), dtype=np.uint8), "ids_ptr": ids_ptr,
        "time": finder._time.view, "exact": finder._exact.view, "kel": finder._kel.view, "kec": finder._kec.view,
        "terms_ptr": finder._terms.ptr.view, "terms_data": finder._terms.data.view,
        "place_ptr": finder._place.ptr.view, "place_data": finder._place.data.view,
        "num_ptr": finder._numbers.ptr.view, "num_data": finder._numbers.data.view,
        "post_keys": post_keys, "post_ptr": post_ptr, "post_docs": post_docs,
        "exact_keys": ex_keys, "exact_ptr": ex_ptr, "exact_docs": ex_docs,
        "pdf_keys": pdf_keys, "pdf_counts": pdf_counts,
    }


def save_index(finder, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = index_arrays(finder)
    header = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "lapor_triage": __version__,
        "params": {p: getattr(finder, p) for p in PARAMS}, "documents": len(finder),
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


def load_index(path):
    from pipeline.dedup.index import DuplicateFinder, _Grow, _Lists

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

    finder = DuplicateFinder(**header["params"])
    blob, ptr = arrays["ids_blob"].tobytes(), arrays["ids_ptr"].tolist()
    finder.ids_ = [blob[ptr[i] : ptr[i + 1]].decode("utf-8") for i in range(len(ptr) - 1)]
    finder._time = _Grow.of(arrays["time"])
    finder._exact = _Grow.of(arrays["exact"])
    finder._kel = _Grow.of(arrays["kel"])
    finder._kec = _Grow.of(arrays["kec"])
    finder._terms = _Lists.of(arrays["terms_ptr"], arrays["terms_data"])
    finder._place = _Lists.of(arrays["place_ptr"], arrays["place_data"])
    finder._numbers = _Lists.of(arrays["num_ptr"], arrays["num_data"])
    finder._post = _dict_of_csr(arrays["post_keys"], arrays["post_ptr"], arrays["post_docs"])
    finder._exact_map = _dict_of_csr(arrays["exact_keys"], arrays["exact_ptr"], arrays["exact_docs"])
    finder._place_df = dict(zip(arrays["pdf_keys"].tolist(), arrays["pdf_counts"].tolist()))
    n = len(finder.ids_)
    if not (finder._time.n == finder._exact.n == finder._kel.n == n and finder._terms.ptr.n == n + 1):
        raise ArtifactError(f"{path}: inconsistent index (column lengths differ); rebuild it")
    return finder
