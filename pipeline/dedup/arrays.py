"""Growable numpy columns and CSR lists: the duplicate index's storage, shared by the index and its file."""

from __future__ import annotations

from array import array

import numpy as np


class GrowArray:
    """A numpy array that grows by doubling (amortised O(1) append)."""

    def __init__(self, dtype, capacity: int = 1024):
        self.a = np.empty(capacity, dtype=dtype)
        self.n = 0

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self.a.dtype)
        need = self.n + len(values)
        if need > len(self.a):
            cap = max(need, 2 * len(self.a))
            b = np.empty(cap, dtype=self.a.dtype)
            b[: self.n] = self.a[: self.n]
            self.a = b
        self.a[self.n : need] = values
        self.n = need

    def append(self, value) -> None:
        if self.n == len(self.a):
            b = np.empty(2 * len(self.a), dtype=self.a.dtype)
            b[: self.n] = self.a[: self.n]
            self.a = b
        self.a[self.n] = value
        self.n += 1

    @property
    def view(self) -> np.ndarray:
        return self.a[: self.n]

    @classmethod
    def of(cls, values: np.ndarray) -> "GrowArray":
        g = cls(values.dtype, capacity=max(1024, len(values)))
        g.extend(values)
        return g


class CsrLists:
    """Variable-length uint32 lists (CSR: offsets + data), appendable."""

    def __init__(self):
        self.ptr = GrowArray(np.int64)
        self.ptr.append(0)
        self.data = GrowArray(np.uint32)

    def append(self, values: np.ndarray) -> None:
        self.data.extend(values)
        self.ptr.append(self.data.n)

    def get(self, i: int) -> np.ndarray:
        p = self.ptr.a
        return self.data.a[p[i] : p[i + 1]]

    def lengths(self) -> np.ndarray:
        return np.diff(self.ptr.view)

    @classmethod
    def of(cls, ptr: np.ndarray, data: np.ndarray) -> "CsrLists":
        out = cls.__new__(cls)
        out.ptr = GrowArray.of(ptr.astype(np.int64))
        out.data = GrowArray.of(data.astype(np.uint32))
        return out


def csr_of_dict(d: dict, key_dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys = np.array(sorted(d), dtype=key_dtype)
    lengths = np.fromiter((len(d[k]) for k in keys.tolist()), dtype=np.int64, count=len(keys))
    ptr = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    data = np.frombuffer(b"".join(d[k].tobytes() for k in keys.tolist()), dtype=np.int32)
    return keys, ptr, data


def dict_of_csr(keys: np.ndarray, ptr: np.ndarray, data: np.ndarray) -> dict:
    out = {}
    raw = data.astype(np.int32).tobytes()
    p = ptr.tolist()
    for i, k in enumerate(keys.tolist()):
        a = array("i")
        a.frombytes(raw[4 * p[i] : 4 * p[i + 1]])
        out[k] = a
    return out
