"""``predict`` on another region's complaints: one warning line, and no such row is auto-routed."""

from __future__ import annotations

import pandas as pd

from pipeline.cli import main

FOREIGN = [  # Surabaya-like complaints: areas unknown to the demo model, words it mostly never saw
    ("Saluran tepi jalan mampet depan restorant, trotoar pecah dilalui kenderaan", "Pradah Kali Kendal", "Dukuh Pakis"),
    ("Pedagang pasar buang sampah ke laut, pantai bau dan penuh lalat. Mohon diawasi.", "Kapasari", "Genteng"),
    ("Pengurusan sertifikat PTSL kok dikenakan BPHTB pajak perolehan, mohon penjelasan matur suwun",
     "Jemur Wonosari", "Wonocolo"),
    ("Box culvert di Jl. Kertajaya Indah ambrol, mobil terperosok, tolong Bina Marga segera tangani rek",
     "Manyar Sabrangan", "Mulyorejo"),
    ("Suroboyo iki parkir liar nang Tunjungan akeh banget, jukir njaluk 10 ewu, pemkot kudu tegas", "Ketabang",
     "Genteng"),
    ("Warga kampung minta pemasangan PJU di gang sempit, tiap malam gelap gulita rawan begal", "Rungkut Kidul",
     "Rungkut"),
]


def test_foreign_input_warns_once_and_routes_nothing_automatically(tmp_path, demo_model, demo_dir, capsys):
    rows = [{"id": f"x{i}", "text": t, "kelurahan": kel, "kecamatan": kec}
            for i, (t, kel, kec) in enumerate(FOREIGN * 5)]
    src, out = tmp_path / "surabaya.csv", tmp_path / "routed.csv"
    pd.DataFrame(rows).to_csv(src, index=False)
    assert main(["predict", "--model", str(demo_model), "--in", str(src), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("peringatan:")]
    assert len(warnings) == 1 and warnings[0].startswith(f"peringatan: {len(rows)} dari {len(rows)} baris")
    got = pd.read_csv(out, keep_default_na=False)
    assert list(got["id"]) == [r["id"] for r in rows]
    assert set(got["out_of_tenant"]) == {True} and set(got["auto_route"]) == {False}
    assert got["explanation"].str.contains("Di luar wilayah model").all()

    home, home_out = demo_dir / "backlog.csv", tmp_path / "home.csv"
    assert main(["predict", "--model", str(demo_model), "--in", str(home), "--out", str(home_out)]) == 0
    assert "peringatan:" not in capsys.readouterr().err
    mine = pd.read_csv(home_out, keep_default_na=False)
    assert not mine["out_of_tenant"].any() and mine["auto_route"].any()
