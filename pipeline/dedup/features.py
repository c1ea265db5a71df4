"""What the duplicate detector keeps of one complaint: hashed terms, place terms, numbers, times.

Text is read from the complaint's analysed :class:`~pipeline.document.Document` (cleaned, tokenised,
slang-mapped, stemmed once), so "jln rusak bgt" and "jalan rusak banget" share their terms, and
"same text" is the document's one definition (:attr:`Document.exact_key`). Every
term is stored as a 32-bit CRC of the token: compact, deterministic across processes (unlike
Python's ``hash``), and collisions between real words are rare enough not to matter.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from pipeline.dedup.problems import mask_of_terms
from pipeline.document import Document

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_LITERAL_ESCAPES = re.compile(r"\\[nrt]")
# numbers that name a place: "No. 45", "gang 3", "blok 5D", "RT 4", "lt 4", "nomor 12"
_MARKED_NUMBER = re.compile(
    r"\b(?:no|nomor|nmr|gg|gang|blok|blk|kav|kavling)\b\W{0,3}([0-9]{1,4}[a-z]?)\b", re.IGNORECASE
)
_ALLEY_NAME = re.compile(r"\b(?:gg|gang)\b\W{0,3}([a-z]{3,}+)\b", re.IGNORECASE)
# address words that say nothing about *where* (they appear in almost every address)
GENERIC_PLACE_WORDS = frozenset(
    "jalan jl jln jl. raya gang gg no nomor rt rw kel kelurahan kec kecamatan kota kabupaten kab desa ds "
    "dusun dsn provinsi prov indonesia jawa kode pos blok depan samping sebelah dekat di dan sampai arah "
    "lokasi alamat wilayah daerah sepanjang".split()
)


def normalise_exact(text: str) -> str:
    """Comparison form of an area name: case, spacing and punctuation ignored."""
    text = _LITERAL_ESCAPES.sub(" ", text if isinstance(text, str) else "")
    return _NON_WORD.sub(" ", text.lower()).strip()


def exact_key(text) -> int:
    """64-bit key of "same text" (0 for no text): :attr:`Document.exact_key`."""
    return Document.of(text).exact_key


def term_id(token: str) -> int:
    return zlib.crc32(token.encode("utf-8"))


def area_code(name: str) -> int:
    """Kelurahan/kecamatan name → code; 0 when empty (unknown matches nothing)."""
    norm = normalise_exact(name)
    return zlib.crc32(("area:" + norm).encode("utf-8")) or 1 if norm else 0


def content_words(text) -> list[tuple[str, str]]:
    """``(word, stem)`` of each content word: slang-mapped, stop words, bare numbers and placeholders out.

    The word is the readable form (``jln`` → ``jalan``) that labels show; the stem is what is compared.
    """
    return Document.of(text).content_words


def content_tokens(text) -> list[str]:
    """Normalised, slang-mapped, stemmed content words (stop words and bare numbers dropped)."""
    return Document.of(text).content_stems


def text_terms(text) -> np.ndarray:
    """Sorted unique uint32 term ids of the content words."""
    return _ids(content_tokens(text))


def place_terms(address: str) -> np.ndarray:
    """Address words that locate (street, block, landmark names and numbers), as term ids."""
    if not address or not address.strip():
        return _ids([])
    toks = [t for t in Document(address).token_norms if t not in GENERIC_PLACE_WORDS and len(t) > 1 or t.isdigit()]
    return _ids(["@" + t for t in toks])


def location_numbers(address: str, text: str) -> np.ndarray:
    """House/alley/block numbers and alley names ("No. 45", "gang 3", "Gg Manggis") in address and text.

    Two complaints that both name such a number and share none are about different spots, however
    alike their texts ("pemangkasan pohon … Jl. Jetis Kulon 1 No. 45" vs "… No. 43").
    """
    found = set()
    for source in (address or "", text or ""):
        source = _LITERAL_ESCAPES.sub(" ", source)
        found |= {"#" + (m.lower().lstrip("0") or "0") for m in _MARKED_NUMBER.findall(source)}
        found |= {"%" + m.lower() for m in _ALLEY_NAME.findall(source)}
    return _ids(sorted(found))


def _ids(tokens) -> np.ndarray:
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    return np.unique(np.fromiter((term_id(t) for t in tokens), dtype=np.uint32))


_EPOCH = pd.Timestamp("1970-01-01")


def parse_time(value) -> float | None:
    """Seconds since the epoch (naive local times are taken as they are), or None when unparseable."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value == value else None
    if isinstance(value, datetime):
        ts = pd.Timestamp(value)
    else:
        s = str(value).strip()
        if not s:
            return None
        try:
            ts = pd.Timestamp(s)
        except (ValueError, TypeError, OverflowError):
            try:
                ts = pd.Timestamp(pd.to_datetime(s, dayfirst=True))
            except (ValueError, TypeError, OverflowError):
                return None
    if ts is pd.NaT or pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert(timezone.utc).tz_localize(None)
    return (ts - _EPOCH).total_seconds()


@dataclass(frozen=True)
class ComplaintFeatures:
    """Everything the index stores and compares for one complaint."""

    id: str
    time: float
    exact: int
    terms: np.ndarray
    place: np.ndarray
    numbers: np.ndarray
    kelurahan: int
    kecamatan: int
    # bit mask of the problem classes the text names (pipeline.dedup.problems); derived from ``terms`` when not
    # given, so features stored without it (a database row) compare as the complaint's own would
    problems: int | None = None

    def __post_init__(self):
        if self.problems is None:
            object.__setattr__(self, "problems", mask_of_terms(self.terms))

    @classmethod
    def build(cls, id: str, time: float, text: str | Document, kelurahan: str = "", kecamatan: str = "",
              address: str = "") -> "ComplaintFeatures":
        """``text`` is the complaint or its analysed :class:`Document` (then nothing is analysed twice)."""
        doc = Document.of(text if isinstance(text, (str, Document)) else "")
        address = address if isinstance(address, str) else ""
        return cls(
            id=str(id), time=float(time), exact=doc.exact_key, terms=_ids(doc.content_stems),
            place=place_terms(address), numbers=location_numbers(address, doc.original),
            kelurahan=area_code(kelurahan), kecamatan=area_code(kecamatan),
        )
