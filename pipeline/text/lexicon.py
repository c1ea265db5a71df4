"""Word lists the text pipeline needs, loaded once per process.

- root words: PySastrawi's ``kata-dasar.txt`` (shipped with the package);
- slang: the project's own ``pipeline/resources/slang_id.tsv`` (self-written, MIT);
- stop words: PySastrawi's list, minus words that carry meaning in complaints.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from pathlib import Path

# Words in Sastrawi's stop list that matter for complaints: negation and status words
# ("belum", "tidak"), and domain words that happen to be listed ("bulan", "air" is not, "jalan" is not).
KEEP_WORDS = frozenset(
    {
        "tidak", "belum", "bukan", "jangan", "tanpa", "kurang", "rusak", "mati", "baru", "lama",
        "bulan", "tahun", "hari", "minggu", "malam", "pagi", "siang", "sore", "bapak", "ibu",
        "kerja", "bekerja", "masuk", "keluar", "tinggal", "rumah", "jalan", "tempat", "depan",
        "belakang", "samping", "atas", "bawah", "dalam", "luar", "dekat", "jauh", "sekolah",
        "anak", "orang", "warga", "besar", "kecil", "tinggi", "rendah", "sakit", "hilang",
    }
)


def _resource(name: str) -> Path:
    return Path(str(resources.files("pipeline.resources").joinpath(name)))


@lru_cache(maxsize=1)
def root_words() -> frozenset[str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(w.strip() for w in StemmerFactory().get_words() if w.strip())


@lru_cache(maxsize=4)
def slang_dictionary(path: str | None = None) -> dict[str, tuple[str, ...]]:
    """Informal form → tuple of standard tokens."""
    source = Path(path) if path else _resource("slang_id.tsv")
    table: dict[str, tuple[str, ...]] = {}
    with source.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader, None)
        if header and header[:2] != ["informal", "standard"]:
            raise ValueError(f"{source}: expected header 'informal<TAB>standard', got {header!r}")
        for lineno, row in enumerate(reader, start=2):
            if not row or row[0].startswith("#"):
                continue
            if len(row) != 2 or not row[0].strip() or not row[1].strip():
                raise ValueError(f"{source}:{lineno}: expected two non-empty tab-separated fields")
            table[row[0].strip().lower()] = tuple(row[1].strip().lower().split())
    return table


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    words = set(StopWordRemoverFactory().get_stop_words())
    words |= {"yg", "dgn", "nya", "dll", "dsb", "mohon", "tolong", "terima", "kasih", "terimakasih",
              "assalamualaikum", "wr", "wb", "salam", "selamat", "hormat", "min", "admin", "pak",
              "bu", "mas", "mbak", "kak", "gan", "sih", "kok", "deh", "lho", "loh", "ya", "yah"}
    return frozenset(words - KEEP_WORDS)
