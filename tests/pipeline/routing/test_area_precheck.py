"""The gazetteer's first-word pre-check gives what the spaCy PhraseMatcher alone gives (the oracle)."""

from __future__ import annotations

import pickle
import random

import pandas as pd

from fixtures.real_data import shared_file
from pipeline.routing.areas import AreaOffices
from pipeline.text.tokens import tokenize

GAZ = [("Tambaksari", "Ploso"), ("Tambaksari", "Dukuh Setro"), ("Rungkut", "Wonorejo Rungkut"),
       ("Pabean Cantikan", "Bongkaran"), ("Gubeng", "Airlangga"), ("Sukolilo", "Keputih"), ("Bulak", "Kedung Cowek"),
       ("Tambaksari", "Dukuh"), ("Gubeng", "Ngagel Rejo"), ("Wonokromo", "Ngagel")]
FILLER = ["jalan", "rusak", "di", "depan", "rumah", "warga", "mohon", "segera", "kel", "kec", "kelurahan",
          "kecamatan", "desa", ".", ",", "RT", "05", "dukuh", "wonorejo", "ngagel", "rejo"]


def _agree(areas: AreaOffices, texts) -> int:
    """Asserts the pre-checked answer equals the matcher's for both kinds; returns how many texts name an area."""
    named = 0
    for text in texts:
        tokens = tokenize(text)
        for kind in ("kelurahan", "kecamatan"):
            expected = areas._match_area(kind, tokens)
            assert areas.find_area(kind, text) == expected, (kind, text)
            named += expected is not None
    return named


def test_random_texts_of_gazetteer_words_agree_with_the_matcher():
    areas = AreaOffices(gazetteer=GAZ).fit(["Kelurahan Ploso", "Dinas Sosial"], ["Ploso", ""], ["Tambaksari", ""])
    rng = random.Random(7)
    words = FILLER + [w for kec, kel in GAZ for w in (kec + " " + kel).split()]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    texts += ["", "   ", "kel. dukuh setro", "warga kec rungkut", "Jalan di Ngagel Rejo", "dukuh"]
    assert _agree(areas, texts) > 500


def test_a_restored_model_prechecks_as_it_matched():
    areas = AreaOffices(gazetteer=GAZ).fit(["Kelurahan Ploso"], ["Ploso"], ["Tambaksari"])
    assert areas.find_area("kelurahan", "sampah di jalan") is None  # pre-check only: spaCy not needed
    restored = pickle.loads(pickle.dumps(areas))
    assert restored.find_area("kelurahan", "warga kelurahan ploso") == "Ploso"
    assert restored.find_area("kecamatan", "warga kecamatan tambaksari") == "Tambaksari"


def test_real_complaints_agree_with_the_matcher():
    df = pd.read_csv(shared_file("surabaya/complaints_2022.csv"), dtype=str, keep_default_na=False)
    areas = AreaOffices().fit(df["opd"], df["kelurahan"], df["kecamatan"])
    assert _agree(areas, df["text"].head(1500)) > 100
