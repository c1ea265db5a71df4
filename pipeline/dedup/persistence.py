"""Saving and loading the duplicate index: named numpy arrays, never pickled Python objects.

A mixin of :class:`~pipeline.dedup.index.DuplicateFinder`, kept apart because its job (the on-disk
layout, checked on the way in) is not the index's (searching); :mod:`pipeline.dedup.store` writes
and verifies the file itself.
"""

from __future__ import annotations

import numpy as np

from pipeline.dedup import store
from pipeline.dedup.arrays import CsrLists, GrowArray, csr_of_dict, dict_of_csr
from pipeline.errors import ArtifactError


class IndexPersistence:
    """``save`` / ``load`` / ``to_arrays`` / ``from_arrays`` of the index's columns and postings."""

    def save(self, path):
        """Write the index to one self-verifying ``.npz`` (see :mod:`pipeline.dedup.store`)."""
        return store.write_index(path, self.to_arrays(), {p: getattr(self, p) for p in store.PARAMS}, len(self))

    @classmethod
    def load(cls, path):
        params, arrays = store.read_index(path)
        return cls(**params).from_arrays(arrays, path)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The whole index as named numpy arrays (no Python objects: loading never unpickles)."""
        self._ready()
        ids = [s.encode("utf-8") for s in self.ids_]
        ids_ptr = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in ids], out=ids_ptr[1:])
        post_keys, post_ptr, post_docs = csr_of_dict(self._post, np.uint32)
        ex_keys, ex_ptr, ex_docs = csr_of_dict(self._exact_map, np.uint64)
        pdf_keys = np.array(sorted(self._place_df), dtype=np.uint32)
        pdf_counts = np.array([self._place_df[k] for k in pdf_keys.tolist()], dtype=np.int64)
        return {
            "ids_blob": np.frombuffer(b"".join(ids), dtype=np.uint8), "ids_ptr": ids_ptr,
            "time": self._time.view, "exact": self._exact.view, "kel": self._kel.view, "kec": self._kec.view,
            "problems": self._problems.view,
            "terms_ptr": self._terms.ptr.view, "terms_data": self._terms.data.view,
            "place_ptr": self._place.ptr.view, "place_data": self._place.data.view,
            "num_ptr": self._numbers.ptr.view, "num_data": self._numbers.data.view,
            "post_keys": post_keys, "post_ptr": post_ptr, "post_docs": post_docs,
            "exact_keys": ex_keys, "exact_ptr": ex_ptr, "exact_docs": ex_docs,
            "pdf_keys": pdf_keys, "pdf_counts": pdf_counts,
        }

    def from_arrays(self, arrays: dict[str, np.ndarray], source="index"):
        """Restore the state written by :meth:`to_arrays`; refuses inconsistent arrays."""
        blob, ptr = arrays["ids_blob"].tobytes(), arrays["ids_ptr"].tolist()
        self.ids_ = [blob[ptr[i] : ptr[i + 1]].decode("utf-8") for i in range(len(ptr) - 1)]
        self._time = GrowArray.of(arrays["time"])
        self._exact = GrowArray.of(arrays["exact"])
        self._kel = GrowArray.of(arrays["kel"])
        self._kec = GrowArray.of(arrays["kec"])
        self._problems = GrowArray.of(arrays["problems"])
        self._terms = CsrLists.of(arrays["terms_ptr"], arrays["terms_data"])
        self._place = CsrLists.of(arrays["place_ptr"], arrays["place_data"])
        self._numbers = CsrLists.of(arrays["num_ptr"], arrays["num_data"])
        self._post = dict_of_csr(arrays["post_keys"], arrays["post_ptr"], arrays["post_docs"])
        self._exact_map = dict_of_csr(arrays["exact_keys"], arrays["exact_ptr"], arrays["exact_docs"])
        self._place_df = dict(zip(arrays["pdf_keys"].tolist(), arrays["pdf_counts"].tolist()))
        n = len(self.ids_)
        if not (self._time.n == self._exact.n == self._kel.n == self._problems.n == n and self._terms.ptr.n == n + 1):
            raise ArtifactError(f"{source}: inconsistent index (column lengths differ); rebuild it")
        return self
