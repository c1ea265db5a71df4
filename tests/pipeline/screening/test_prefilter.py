"""The screening prefilter: texts it settles are exactly those the full analysis leaves unflagged.

Documents whose tokens the router already made (``token_norms``) take the prefilter; plain strings take
the raw-text check. Both must give the same result, field for field, on self-written, demo-tenant and
(when present) real complaints.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.document import Document
from pipeline.screening import Screener
from pipeline.screening.prefilter import Prefilter
from pipeline.text.lexicon import slang_dictionary
from fixtures.real_data import shared_file

from fixtures.screening_data import tiny_training  # noqa: F401

REPO = Path(__file__).resolve().parents[3]
TEXTS = [
    "Ketua RT 05 Kelurahan Sukamaju meminta uang Rp 200 ribu kepada warga untuk tanda tangan surat pindah.",
    "Ketua RT 05 Kelurahan Sukamaju minta duit 200rb ke warga buat tanda tangan surat pindah.",
    "Mohon ditindak, petugas bernama Budi Santoso di loket kecamatan melakukan pungli saat pengurusan KTP.",
    "Pelayanan di kelurahan lambat sekali, dasar pegawai goblok semua, bangsat!",
    "Usir semua orang cina dari kampung kami, dasar kafir!",
    "Kalau jalan ini tidak diperbaiki minggu ini, ayo kita geruduk kantor kecamatan!",
    "Biaya parkir di pasar Rp 5.000 padahal karcis tertulis Rp 2.000, mohon ditertibkan petugasnya.",
    "Di kenakan biaya 50k oleh petugas untuk surat domisili, padahal gratis.",
    "Jalan rusak berlubang di depan SDN 3, sudah dua bulan belum diperbaiki. Mohon segera ditindaklanjuti.",
    "Anjing liar berkeliaran di taman kota, warga takut anak-anak digigit.",
    "Lampu PJU mati sejak seminggu di Jl. Melati RT 02 RW 03, mohon diperbaiki.",
    "USER dasar bego lu URL",
    "tolong pak",
    "Saluran air tersumbat sampah &amp; berbau, mohon dikeruk. Terima kasih.",
]


@pytest.fixture(scope="module")
def screener() -> Screener:
    texts, labels = tiny_training()
    return Screener(cv=0, min_df=1).fit(texts, labels)


def _tokenised(texts):
    docs = [Document(t) for t in texts]
    for d in docs:
        d.token_norms  # as the router leaves them
    return docs


def assert_same(screener: Screener, texts) -> int:
    with_prefilter = screener.screen(_tokenised(texts))
    without = screener.screen(list(texts))
    for text, a, b in zip(texts, with_prefilter, without):
        assert a == b, text
    return sum(r.flagged for r in without)


def test_same_results_on_self_written_texts(screener):
    assert assert_same(screener, TEXTS) >= 5  # the positives are flagged either way


def test_same_results_on_demo_tenant(screener):
    with (REPO / "pipeline" / "tenants" / "selayar" / "complaints.csv").open(encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    assert texts
    assert_same(screener, texts + TEXTS)


def test_prefilter_settles_ordinary_complaints_and_keeps_triggers(screener):
    docs = _tokenised(TEXTS)
    pf = screener._prefilter(docs[0])
    assert not pf.could_fire(docs[8].token_norms)  # the pothole complaint
    assert pf.could_fire(docs[0].token_norms) and pf.could_fire(docs[3].token_norms)


def test_informal_spelling_of_a_trigger_word_passes(screener):
    pf = screener._prefilter(Document("x"))
    table = slang_dictionary()
    single = screener.rules_.lexicon._triggers()[0]
    informal = sorted(w for w, m in table.items() if len(m) == 1 and m[0] in single and w not in single)
    assert informal, "the slang table maps some informal word onto a rule trigger"
    assert pf.could_fire(["jalan", informal[0], "rusak"])
    assert not pf.could_fire(["jalan", "rusak"])


def test_accusation_check_needs_every_word_of_a_term(screener):
    pf = Prefilter(screener.rules_.lexicon, screener._accusation()._lex(), slang_dictionary())
    assert pf.accusation_could_fire({"pungli"})
    assert not pf.accusation_could_fire({"di", "rp", "5000"})  # "di" alone starts terms but is none


def test_same_results_on_real_complaints(screener):
    path = shared_file("surabaya/complaints_2022.csv")
    with path.open(encoding="utf-8") as fh:
        texts = [row["text"] for _, row in zip(range(3000), csv.DictReader(fh))]
    assert assert_same(screener, texts) > 0
