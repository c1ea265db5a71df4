"""Acceptance: the same complaints through ``POST /v1/complaints`` and through ``lapor-triage predict``, with the
same model, get the same suggested unit, confidence (±0.001), ``auto_route`` and ``flagged``."""

from __future__ import annotations

import csv

from fixtures.service_app import sqlite_service

from pipeline.cli import main


def test_api_and_batch_predict_agree(tmp_path, screened_model, demo_dir):
    model_dir = screened_model

    with open(demo_dir / "backlog.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["text"].strip()]
    rows.append({"id": "X-1", "text": "Ketua RT 05 meminta uang pungli ke warga untuk surat pindah", "kecamatan": "Benteng",
                 "kelurahan": "Benteng", "address": "", "created_at": ""})
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["predict", "--model", str(model_dir), "--in", str(src), "--out", str(out)]) == 0
    with open(out, encoding="utf-8", newline="") as fh:
        batch = {r["id"]: r for r in csv.DictReader(fh)}

    with sqlite_service(tmp_path, model_dir, duplicate_window_days=0) as svc:
        for row in rows:
            fields = {k: row[k] for k in ("kecamatan", "kelurahan", "address") if row.get(k)}
            api = svc.submit(row["text"], **fields)
            b = batch[row["id"]]
            t = api["triage"]
            assert t["suggested_opd"] == b["opd"], row["id"]
            assert abs(t["confidence"] - float(b["confidence"])) <= 0.001, row["id"]
            assert t["auto_route"] == (b["auto_route"] == "true"), row["id"]
            assert api["flagged"] == (b["flagged"] == "true"), row["id"]
            assert t["model_version"] == b["model_version"]
    assert any(r["flagged"] == "true" for r in batch.values()), "the sample must include a flagged complaint"
    assert any(r["auto_route"] == "true" for r in batch.values()) and any(r["auto_route"] == "false" for r in batch.values())
