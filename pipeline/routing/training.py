"""Training a router from a complaint export and writing a verified model directory."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from pipeline.routing.areas import AreaOffices
from pipeline.artifacts import save_bundle, sha256_file
from pipeline.batch import validate_rows
from pipeline.errors import DataError
from pipeline.io import LINE, read_table
from pipeline.columns import InputColumns
from pipeline.routing.router import OpdRouter

log = logging.getLogger(__name__)


def load_training_frame(path: str | Path, columns: InputColumns) -> tuple[pd.DataFrame, list[str]]:
    """Standardised rows with text and label; rows without either are reported, not silently lost."""
    raw = read_table(path, sep=columns.sep)
    columns.require([c for c in raw.columns if not c.startswith("_")], path, need_label=True)
    df = columns.standardise(raw)
    problems = validate_rows(df, columns.text)
    no_label = (df["opd"].astype(str).str.strip() == "") & (problems == "")
    problems[no_label] = [f"row {r}: column '{columns.label}' is empty" for r in df.loc[no_label, LINE]]
    skipped = [p for p in problems if p]
    if skipped:
        log.warning("%s: %d row(s) cannot be used for training, e.g. %s", path, len(skipped), "; ".join(skipped[:3]))
    df = df[problems == ""].reset_index(drop=True)
    df["opd"] = df["opd"].astype(str).str.strip()
    if len(df) < 10:
        raise DataError(f"{path}: only {len(df)} usable training rows; need at least 10")
    return df, skipped


def load_gazetteer(path: str | Path | None) -> list[tuple[str, str]] | None:
    """Tenant areas: a table with ``kecamatan`` and ``kelurahan`` columns."""
    if path is None:
        return None
    df = read_table(path)
    missing = [c for c in ("kecamatan", "kelurahan") if c not in df.columns]
    if missing:
        raise DataError(f"{path}: gazetteer needs columns 'kecamatan' and 'kelurahan'; missing {missing}")
    return list(zip(df["kecamatan"], df["kelurahan"]))


def load_units(path: str | Path | None) -> pd.DataFrame:
    """Tenant unit table (``name``, optional ``aliases`` and ``description``) as extra training rows.

    Each unit contributes one document made of its name, aliases and description, so a unit with
    few (or no) labelled complaints is still reachable, and names such as "Disdukcapil" count.
    """
    if path is None:
        return pd.DataFrame(columns=["text", "opd"])
    df = read_table(path)
    if "name" not in df.columns:
        raise DataError(f"{path}: unit table needs a 'name' column; columns in file: {', '.join(df.columns)}")
    return unit_documents(df)


def unit_documents(df: pd.DataFrame) -> pd.DataFrame:
    """One training document (``text``, ``opd``) per row of a unit table (``name``, ``aliases``, ``description``)."""
    rows = []
    for r in df.itertuples(index=False):
        name = str(getattr(r, "name", "")).strip()
        if not name:
            continue
        aliases = str(getattr(r, "aliases", "") or "").replace("|", ", ")
        description = str(getattr(r, "description", "") or "")
        rows.append({"text": f"{name}. {aliases}. {description}".strip(), "opd": name})
    return pd.DataFrame(rows, columns=["text", "opd"])


def train_router(
    data: str | Path,
    out_dir: str | Path,
    columns: InputColumns,
    *,
    gazetteer: str | Path | None = None,
    units: str | Path | None = None,
    router_params: dict | None = None,
    tenant: str | None = None,
) -> dict:
    df, skipped = load_training_frame(data, columns)
    unit_rows = load_units(units)
    if not unit_rows.empty:
        df = pd.concat([unit_rows.assign(created_at="", kelurahan="", kecamatan=""), df], ignore_index=True)
    areas = AreaOffices(gazetteer=load_gazetteer(gazetteer))
    router = OpdRouter(areas=areas, **(router_params or {}))
    router.fit(df, df["opd"])
    manifest = {
        "kind": "router",
        "tenant": tenant,
        "training_data": {
            "file": Path(data).name,
            "path": str(Path(data).resolve()),  # what a retrain from the service starts from
            "sha256": sha256_file(data),
            "rows_used": int(len(df) - len(unit_rows)),
            "unit_descriptions": int(len(unit_rows)),
            "rows_skipped": len(skipped),
            "skipped_examples": skipped[:20],
            "columns": {k: v for k, v in vars(columns).items() if v},
            "time_range": [str(df["created_at"].min()), str(df["created_at"].max())],
        },
        **router_fields(router, df["opd"]),
    }
    return save_bundle(out_dir, {"router": router}, manifest)


def router_fields(router: OpdRouter, labels: pd.Series) -> dict:
    """The manifest fields of a fitted router: its labels, thresholds, parameters and validation figures."""
    counts = labels.value_counts()
    return {
        "labels": sorted(counts.index.tolist()),
        "label_counts": {k: int(v) for k, v in counts.items()},
        "area_office_kinds": sorted(router.areas_.offices_),
        "threshold": router.threshold_,
        "unit_thresholds": router.class_thresholds_,
        "target_precision": router.target_precision,
        "temperature": router.temperature_,
        "params": {k: v for k, v in router.get_params(deep=False).items() if k != "areas"},
        "validation": router.validation_,
    }
