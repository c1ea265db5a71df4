"""Training a screener from a labelled table and writing (or adding) a verified model directory."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from pipeline.artifacts import load_bundle, save_bundle, sha256_file
from pipeline.errors import ArtifactError, DataError
from pipeline.io import read_table
from pipeline.screening.screener import Screener

log = logging.getLogger(__name__)

LABELS = ("HS", "Abusive")
AUX_LABELS = ("HS_Group", "HS_Individual", "HS_Religion", "HS_Race", "HS_Physical", "HS_Gender", "HS_Other")
# keys save_bundle writes itself; never copied from an old manifest
GENERATED_KEYS = ("format_version", "model_version", "created_at", "libraries", "artifacts")


def load_screening_frame(path: str | Path, text_col: str) -> tuple[list[str], pd.DataFrame, int]:
    df = read_table(path)
    columns = [c for c in df.columns if not str(c).startswith("_")]
    missing = [c for c in (text_col, *LABELS) if c not in columns]
    if missing:
        shown = ", ".join(repr(c) for c in columns) or "(none)"
        raise DataError(f"{path}: missing column {', '.join(repr(m) for m in missing)}; columns in file: {shown}")
    labels = df[[c for c in (*LABELS, *AUX_LABELS) if c in columns]].copy()
    for c in labels.columns:
        values = labels[c].astype(str).str.strip()
        bad = ~values.isin(["0", "1"])
        if bad.any():
            row = int(df.loc[bad.idxmax(), "_row"]) + 1
            raise DataError(f"{path}: row {row}: column '{c}' must be 0 or 1, got {values[bad].iloc[0]!r}")
        labels[c] = values.astype(int)
    text = df[text_col].astype(str)
    usable = text.str.strip() != ""
    skipped = int((~usable).sum())
    if skipped:
        log.warning("%s: %d row(s) with an empty '%s' are skipped", path, skipped, text_col)
    texts = text[usable].tolist()
    labels = labels[usable].reset_index(drop=True)
    if len(texts) < 20:
        raise DataError(f"{path}: only {len(texts)} usable training rows; need at least 20")
    return texts, labels, skipped


def train_screener(data: str | Path, out_dir: str | Path, *, text_col: str = "Tweet",
                   params: dict | None = None, add_to: str | Path | None = None) -> dict:
    texts, labels, skipped = load_screening_frame(data, text_col)
    screener = Screener(**(params or {})).fit(texts, labels)
    info = {
        "training_data": {"file": Path(data).name, "sha256": sha256_file(data), "rows_used": len(texts),
                          "rows_skipped": skipped, "text_column": text_col,
                          "positive_share": round(float((labels["HS"] | labels["Abusive"]).mean()), 4)},
        "threshold": screener.threshold_,
        "validation": screener.validation_,
        "params": {k: v for k, v in screener.get_params().items() if not k.endswith("_path")},
    }
    manifest = save_bundle(out_dir, {"screener": screener}, {"kind": "screener", "screening": info})
    if add_to is not None:
        add_screener(add_to, screener, info)
    return manifest


def add_screener(model_dir: str | Path, screener: Screener, info: dict) -> dict:
    """Rewrite a router model directory so that it also holds ``screener`` (sha256s recomputed)."""
    components, manifest = load_bundle(model_dir)
    if "router" not in components:
        raise ArtifactError(f"{model_dir}: no router artifact; --add-to expects a model directory from 'train'")
    kept = {k: v for k, v in manifest.items() if k not in GENERATED_KEYS}
    kept["screening"] = info
    return save_bundle(model_dir, {**components, "screener": screener}, kept)


def add_screener_from(model_dir: str | Path, screener_dir: str | Path) -> dict:
    components, manifest = load_bundle(screener_dir)
    screener = components.get("screener")
    if not isinstance(screener, Screener):
        raise ArtifactError(f"{screener_dir}: no screener artifact in this model directory")
    return add_screener(model_dir, screener, manifest.get("screening", {}))
