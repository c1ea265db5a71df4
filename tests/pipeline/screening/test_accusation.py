"""The complaint-register accusation detector: spans, cues, decision, evidence (self-written texts only)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from pipeline.screening.accusation import find_predicates
from pipeline.screening.accusation_model import AccusationDetector, seed_examples
from pipeline.screening.spans import Tokens, load_terms
from pipeline.screening.targets import find_targets
from fixtures.real_data import shared_file

LEX = load_terms()


def targets(text):
    tok = Tokens.scan(text)
    return [(" ".join(tok.words[t.start:t.end]), t.kind, t.role) for t in find_targets(tok, LEX)]


def predicates(text):
    tok = Tokens.scan(text)
    return [(" ".join(tok.words[p.start:p.end]), p) for p in find_predicates(tok, LEX)]


@pytest.fixture(scope="module")
def detector():
    return AccusationDetector().fit(*seed_examples())


# -- who ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, span, kind", [
    ("Ketua RT 03 meminta uang kepada warga", "Ketua RT 03", "local_numbered"),
    ("uangnya diminta oleh RT setempat", "RT", "local"),
    ("Camat Karangrejo menerima suap", "Camat Karangrejo", "official_placed"),
    ("lurah kembangsari menyalahgunakan jabatan", "lurah kembangsari", "official_placed"),
    ("kepala sekolah SMPN 31 mewajibkan bayar", "kepala sekolah SMPN 31", "official_placed"),
    ("uang dibawa lari Pak Wiryo", "Pak Wiryo", "named_person"),
    ("orang bernama Sutejo menipu saya", "bernama Sutejo", "named_person"),
    ("PT Sumber Makmur mengancam nasabah", "PT Sumber Makmur", "named_org"),
    ("pungutan di SMK Negeri 4 setiap bulan", "SMK Negeri 4", "named_org"),
    ("pungli di puskesmas kedungrejo oleh petugas", "puskesmas kedungrejo", "named_org"),
    ("mobil L 4321 XY milik pelaku", "L 4321 XY", "plate"),
    ("jukir liar memaksa bayar", "jukir", "unnamed"),
])
def test_targets_are_found_with_their_kind(text, span, kind):
    assert (span, kind, "") in targets(text)


def test_the_complainant_and_the_addressee_are_not_accused():
    found = targets("Saya selaku Ketua RT 05 mohon Pak Lurah membantu")
    roles = {span: role for span, _, role in found}
    assert roles["Ketua RT 05"] == "self"
    assert [role for span, role in roles.items() if "Lurah" in span] == ["addressee"]


def test_a_bare_rt_is_a_person_only_with_a_number_or_a_cue():
    assert "local" not in {kind for _, kind, _ in targets("sampah di gang rt belum diangkut")}
    assert ("RT", "local", "") in targets("uangnya diserahkan ke RT tiap bulan")


def test_a_capital_that_opens_a_clause_is_not_a_name():
    assert not any(kind == "named_org" and "Padahal" in span
                   for span, kind, _ in targets("Ada pungutan di bank. Padahal sudah lunas"))


# -- what --------------------------------------------------------------------------------------------
def test_cues_of_a_predicate():
    (_, neg), = [x for x in predicates("surat pindah tidak dipungut biaya apapun") if x[1].kind == "money"]
    assert neg.negated
    (_, hedge), = predicates("takutnya ada penyelewengan dana bantuan")
    assert hedge.hedged
    (_, prevent), = predicates("mohon agar pungli diberantas")
    assert prevent.preventive
    (_, nature), = predicates("ancaman banjir semakin besar")
    assert nature.innocent
    (_, victim), = predicates("saya ditipu orang yang mengaku petugas")
    assert victim.suffered


def test_passive_prefix_written_apart_and_amounts():
    assert [s for s, _ in predicates("saya di kenakan biaya 50 ribu")] == ["di kenakan biaya"]
    assert predicates("iuran kebersihan mohon diinformasikan") == []  # a money word without an amount
    assert [p.kind for _, p in predicates("iuran 150 ribu ditarik RW")] in (["money_weak", "money_weak"], ["money_weak"])


def test_question_marks_and_clauses():
    tok = Tokens.scan("Apakah ada pungli? Saya tidak tahu. Jl. Melati No. 5 rusak")
    assert tok.clauses[0] in tok.questions
    words = list(tok.norms)
    assert tok.clauses[words.index("melati")] == tok.clauses[words.index("rusak")]  # "Jl." and "No." do not end a clause


# -- the decision --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Pak RT 06 minta uang 200 ribu untuk tanda tangan surat keterangan domisili.",
    "Oknum staf Kelurahan Tambakrejo meminta biaya 300 ribu supaya berkas cepat selesai.",
    "PT Cahaya Abadi melakukan pengancaman dan kekerasan kepada pelanggan yang terlambat.",
    "Kepala sekolah SMPN 40 memungut uang 250 ribu dari setiap siswa, ini pungli.",
])
def test_accusations_against_identifiable_people_are_flagged(detector, text):
    found = detector.detect(text)
    assert found.score >= detector.threshold, found
    labels = {label for *_, label in found.char_spans()}
    assert labels == {"tuduhan", "orang/lembaga yang dituduh"}


@pytest.mark.parametrize("text", [
    "Lampu penerangan jalan di gang 5 mati sejak kemarin malam.",
    "Jukir liar di Alfamart Jalan Kenanga memaksa bayar parkir 5 ribu.",
    "Mohon pungli di pasar diberantas agar pedagang tenang.",
    "Apakah pengurusan KTP dipungut biaya?",
    "Pohon tua mengancam keselamatan pengguna jalan di depan balai RW.",
    "Petugas kelurahan kurang ramah saat melayani warga.",
])
def test_ordinary_complaints_are_not_flagged(detector, text):
    assert detector.detect(text).score < detector.threshold


def test_evidence_spans_point_into_the_text(detector):
    text = "Selamat pagi.\nKemarin Bapak Sukirno (ketua RW 3) menggelapkan dana kas warga 5 juta."
    found = detector.detect(text)
    spans = {(text[s:e], label) for s, e, label in found.char_spans()}
    assert ("menggelapkan", "tuduhan") in spans
    assert ("Bapak Sukirno", "orang/lembaga yang dituduh") in spans
    assert ("ketua RW 3", "orang/lembaga yang dituduh") in spans


def test_accused_and_accusation_in_unrelated_clauses_are_not_paired(detector):
    text = ("Pak Hartono ketua RT kami sangat membantu warga. Lampu jalan mati. Jalan berlubang. Got mampet. "
            "Di televisi ada berita korupsi di kota lain.")
    found = detector.detect(text)
    assert found.target is None or found.target.kind not in ("named_person", "local")


def test_weights_are_inspectable_and_the_model_pickles(detector):
    weights = detector.weights()
    assert weights["tgt_unnamed"] < 0 < weights["tgt_local"]
    clone = pickle.loads(pickle.dumps(detector))
    text = "Ketua RW 09 meminta uang 1 juta agar surat ditandatangani."
    assert clone.detect(text).score == pytest.approx(detector.detect(text).score)


def test_hostile_input_is_handled_linearly(detector):
    # long runs of the trigger and target words, abbreviations and punctuation: plain scanning, no backtracking
    text = ("rt rt. pak pak pungli di di kenakan " * 20000) + ("." * 50000) + ("a" * 100000)
    found = detector.detect(text)
    assert 0.0 <= found.score <= 1.0


def test_fit_needs_both_classes():
    with pytest.raises(ValueError):
        AccusationDetector().fit(["a", "b"], [0, 0])


# -- real data (skipped when ../shared/data is absent) --------------------------------------------------
@pytest.mark.real_data
def test_time_fold_figures_on_the_hand_labels():
    from pipeline.screening.accusation_eval import train_from_labels

    detector, report = train_from_labels(shared_file("surabaya/complaints_2022.csv"))
    sample = report["sample"]
    assert sample["precision"] >= 0.65 and sample["recall"] >= 0.45, sample
    assert sample["weighted"]["flag_rate"] <= 0.02
    assert detector.threshold == report["threshold"]


@pytest.mark.real_data
def test_label_trained_detector_flags_few_real_complaints():
    import pandas as pd

    from pipeline.screening.accusation_eval import train_from_labels
    from pipeline.text import clean_text

    path = shared_file("surabaya/complaints_2022.csv")
    detector, _ = train_from_labels(path)
    texts = [clean_text(str(t)) for t in pd.read_csv(path, usecols=["text"]).text]
    assert np.mean(detector.predict(texts)) <= 0.02


def test_score_is_predict_proba_value_for_value():
    import numpy as np

    from pipeline.screening.accusation_model import AccusationDetector, seed_examples

    texts, labels = seed_examples()
    detector = AccusationDetector().fit(texts, labels)
    rows = np.vstack([detector.features(texts), np.random.default_rng(0).random((500, len(detector.features_)))])
    assert all(detector._score(rows[i:i + 1]) == float(detector.model_.predict_proba(rows[i:i + 1])[0, 1])
               for i in range(len(rows)))
