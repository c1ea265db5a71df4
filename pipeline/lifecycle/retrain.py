"""Retraining on decisions: base training data + decided complaints → a candidate model beside the active one.

:func:`retrain` is the one entry point (the service's background job and the replay benchmark both call it):

- the latest decided complaints (by time) are held out — never trained on — and both the candidate and the
  active model are scored on them (:mod:`pipeline.lifecycle.gate`);
- the candidate's router is a clone of the active router (same parameters and gazetteer, ``router_params``
  overrides) fitted on the unit table's descriptions + the base data + the other decided complaints; a base row
  whose text was also decided is replaced by the decision (the operator's label is the newer one);
- every other component of the active bundle (the screener …) is carried over unchanged; a component is left out
  only when named in ``drop`` with a reason, and the manifest says so (``components``, ``dropped_components``);
  ``carried_over`` names, per carried component, the version it was trained in, its artifact's sha256 in the parent and why it
  was not retrained, and ``component_versions`` each component's own version.

Frames use the pipeline's standard columns: ``text``, ``opd`` and optionally ``kelurahan``, ``kecamatan``,
``created_at`` (others are ignored).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pandas as pd
from sklearn.base import clone

from pipeline.artifacts import load_bundle, save_bundle, sha256_file
from pipeline.errors import DataError
from pipeline.columns import InputColumns
from pipeline.lifecycle.gate import compare
from pipeline.model import TriageModel
from pipeline.routing.router import OpdRouter
from pipeline.routing.training import load_training_frame, router_fields, unit_documents
from pipeline.screening.training import GENERATED_KEYS

FRAME_COLUMNS = ("text", "opd", "kelurahan", "kecamatan", "created_at")
# manifest keys a retrain recomputes (everything else of the active manifest is carried over)
RECOMPUTED = ("training_data", "components", "dropped_components", "comparison", "parent_version",
              "component_versions", "carried_over",
              "labels", "label_counts", "area_office_kinds", "threshold", "unit_thresholds", "target_precision",
              "temperature", "params", "validation")


# why a carried-over component was not retrained (the manifest says so beside its own version)
CARRIED_REASON = {"screener": "not retrained: operators' screening decisions (clear_flag) are not labels of abusive, "
                              "hate/SARA, provocation or defamation text; the screener is retrained with "
                              "'lapor-triage train-screening' on labelled texts"}


@dataclass
class RetrainResult:
    manifest: dict  # the candidate's manifest (as written to out_dir)
    comparison: dict  # candidate vs active on the hold-out (pipeline.lifecycle.gate.compare)
    holdout: pd.DataFrame  # the decided complaints held out of training


def frame(df: pd.DataFrame) -> pd.DataFrame:
    """Only the standard columns, as text (absent ones empty)."""
    out = pd.DataFrame({c: (df[c] if c in df.columns else "") for c in FRAME_COLUMNS}, index=df.index)
    return out.fillna("").astype(str).reset_index(drop=True)


def split_holdout(decided: pd.DataFrame, fraction: float, min_rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout): the latest ``fraction`` of decided rows by time (at least ``min_rows``, at most half)."""
    decided = frame(decided)
    if len(decided) < 2:
        return decided, decided.iloc[:0]
    n = min(max(min_rows, int(round(len(decided) * fraction))), len(decided) // 2)
    times = pd.to_datetime(decided["created_at"], errors="coerce", utc=True)
    order = times.sort_values(kind="stable", na_position="first").index
    return decided.loc[order[:-n]].reset_index(drop=True), decided.loc[order[-n:]].reset_index(drop=True)


def load_base(path: str | Path, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A base training file as a standard frame (``columns``: the manifest's recorded column names)."""
    names = {k: v for k, v in (columns or {}).items() if k in InputColumns.__dataclass_fields__}
    names.setdefault("label", "opd")
    df, _ = load_training_frame(path, InputColumns(**names))
    return frame(df)


def data_hash(df: pd.DataFrame) -> str:
    return hashlib.sha256(df.to_csv(index=False).encode("utf-8")).hexdigest()


def retrain(base: pd.DataFrame, decided: pd.DataFrame, out_dir: str | Path, *, active_dir: str | Path,
            version: str | None = None, holdout_fraction: float = 0.2, min_holdout: int = 5,
            units: pd.DataFrame | None = None, label_map: Mapping[str, str] | None = None,
            router_params: Mapping | None = None, drop: Mapping[str, str] | None = None,
            base_info: Mapping | None = None, margin: float = 0.0) -> RetrainResult:
    """Train a candidate into ``out_dir`` and compare it with the model in ``active_dir`` (see module doc).

    ``label_map`` renames labels (old unit name → new) in base and decided rows; ``units`` is the unit table
    (``name``, ``aliases``, ``description``); ``drop`` maps a component name to why it is left out;
    ``base_info`` (path, sha256, columns of the base file) is recorded so the next retrain starts from it;
    ``margin``: how far below the active model a gated figure's whole 95 % interval must lie to fail the gate.
    """
    components, active_manifest = load_bundle(active_dir)
    active_router = components.get("router")
    if not isinstance(active_router, OpdRouter):
        raise DataError(f"{active_dir}: the active model has no router to retrain")
    drop = dict(drop or {})
    unknown = sorted(set(drop) - set(components))
    if unknown:
        raise DataError(f"cannot drop {', '.join(unknown)}: the active model has no such component")
    if "router" in drop:
        raise DataError("the router cannot be dropped: it is what a retrain trains")
    rename = dict(label_map or {})
    base, decided = frame(base), frame(decided)
    for df in (base, decided):
        df["opd"] = df["opd"].str.strip().map(lambda v: rename.get(v, v))
    train_decided, holdout = split_holdout(decided, holdout_fraction, min_holdout)
    decided_texts = set(decided["text"].str.strip())
    kept_base = base[~base["text"].str.strip().isin(decided_texts)]
    docs = frame(unit_documents(units)) if units is not None and len(units) else frame(pd.DataFrame())
    train = pd.concat([docs, kept_base, train_decided], ignore_index=True)
    if train["opd"].nunique() < 2:
        raise DataError("retraining needs complaints of at least two units")

    router = clone(active_router)
    if router_params:
        router.set_params(**router_params)
    router.fit(train, train["opd"])

    carried = {name: obj for name, obj in components.items() if name != "router" and name not in drop}
    parent = active_manifest["model_version"]
    origins = dict(active_manifest.get("component_versions") or {})
    artifacts = active_manifest.get("artifacts") or {}
    carried_over = {name: {"from_version": parent, "trained_in": origins.get(name, parent),
                           "parent_sha256": (artifacts.get(name) or {}).get("sha256"),
                           "reason": CARRIED_REASON.get(name, "not retrained: a retrain trains the router only")}
                    for name in carried}
    manifest = {k: v for k, v in active_manifest.items() if k not in GENERATED_KEYS and k not in RECOMPUTED}
    manifest.update({
        "kind": "router",
        "parent_version": parent,
        "components": {"router": "retrained", **{name: f"carried over from {parent}" for name in carried}},
        "dropped_components": [{"name": n, "reason": r} for n, r in drop.items()],
        # each carried component's own version: the model version it was trained in (kept across retrains; the
        # router's is this version)
        "component_versions": {n: c["trained_in"] for n, c in carried_over.items()},
        "carried_over": carried_over,
        "training_data": {
            "sha256": data_hash(train),
            "base": dict(base_info or {}),
            "rows_used": int(len(train) - len(docs)),
            "base_rows": int(len(kept_base)),
            "base_rows_replaced_by_decisions": int(len(base) - len(kept_base)),
            "decided_rows": int(len(train_decided)),
            "decided_held_out": int(len(holdout)),
            "unit_descriptions": int(len(docs)),
            "label_map": rename,
            "time_range": [str(train["created_at"].min()), str(train["created_at"].max())],
        },
        **router_fields(router, train["opd"]),
    })
    if version:
        manifest["model_version"] = version
    written = save_bundle(out_dir, {"router": router, **carried}, manifest)
    candidate = TriageModel.load(out_dir)
    active = TriageModel.load(active_dir)
    comparison = compare(candidate, active, holdout, target_precision=router.target_precision, margin=margin)
    return RetrainResult(manifest=written, comparison=comparison, holdout=holdout)


def base_info_of(path: str | Path, columns: Mapping[str, str] | None = None) -> dict:
    return {"path": str(Path(path).resolve()), "file": Path(path).name, "sha256": sha256_file(path),
            "columns": dict(columns or {})}
