"""Which kinds of problem a complaint names (street light, pothole, drainage, waste, trees, PDAM, welfare …).

The classes and their words are the project's own list, ``pipeline/resources/dedup_problems.tsv``. A
complaint's classes are a bit mask (one bit per class, in file order), so the index stores one integer
per complaint. Two complaints that each name a class and share none are about different problems
— "PJU padam" and "jalan berlubang" from the same RW with the same template are not duplicates.
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from importlib import resources

import numpy as np

from pipeline.document import Document

RESOURCE = "dedup_problems.tsv"


@lru_cache(maxsize=1)
def _classes() -> tuple[tuple[str, ...], dict[str, int]]:
    """(class names, stem → bit mask of its classes)."""
    text = resources.files("pipeline.resources").joinpath(RESOURCE).read_text(encoding="utf-8")
    names: list[str] = []
    bits: dict[str, int] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, words = line.partition("\t")
        names.append(name.strip())
        bit = 1 << (len(names) - 1)
        for word in words.split():
            for stem in Document.of_cleaned(word.lower()).content_stems:  # plain words: nothing to clean
                bits[stem] = bits.get(stem, 0) | bit
    if len(names) > 32:
        raise ValueError(f"{RESOURCE}: at most 32 problem classes (uint32 mask), found {len(names)}")
    return tuple(names), bits


def class_names() -> tuple[str, ...]:
    return _classes()[0]


def problem_mask(doc: Document) -> int:
    """Bit mask of the problem classes whose words occur in ``doc`` (0: none named)."""
    bits = _classes()[1]
    mask = 0
    for stem in doc.content_stems:
        mask |= bits.get(stem, 0)
    return mask


@lru_cache(maxsize=1)
def _term_bits() -> dict[int, int]:
    """Term id (the CRC32 of a stem, as :func:`pipeline.dedup.features.term_id` makes it) → class bits."""
    return {zlib.crc32(stem.encode("utf-8")): bits for stem, bits in _classes()[1].items()}


def mask_of_terms(terms: np.ndarray) -> int:
    """The same mask from a complaint's stored term ids (no text needed: an index filled from the database)."""
    bits = _term_bits()
    mask = 0
    for t in terms.tolist():
        mask |= bits.get(t, 0)
    return mask


def conflict(a: int, b: int) -> float:
    """1.0 when both name a problem and they share none."""
    return float(bool(a) and bool(b) and not (a & b))
