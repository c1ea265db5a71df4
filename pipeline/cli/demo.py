"""``demo``: build the embedded demo tenant's model if absent and triage its backlog (handlers import what they run)."""

from __future__ import annotations

import argparse
import collections
import csv
import sys
from pathlib import Path

from pipeline.settings import Settings


def register(sub) -> None:
    p = sub.add_parser("build-default", help="train the demo tenant's model into LAPOR_MODEL_DIR if it is absent")
    p.add_argument("--force", action="store_true", help="retrain even if a valid model exists")
    p.set_defaults(handler=_build_default)
    p = sub.add_parser("demo", help="build the default model if absent and triage the demo backlog")
    p.add_argument("--out", default="demo-output/backlog.predictions.csv", help="where to write the predictions")
    p.set_defaults(handler=_demo)


def ensure_default_model(settings: Settings, force: bool = False) -> Path:
    from pipeline.columns import InputColumns
    from pipeline.model import TriageModel
    from pipeline.routing.training import train_router

    model_dir = settings.model_dir
    if not force and (model_dir / "manifest.json").exists():
        try:
            TriageModel.load(model_dir)
            return model_dir
        except Exception as exc:  # built by an older, incompatible version: rebuild it
            print(f"the model in {model_dir} cannot be loaded ({exc}); rebuilding it", file=sys.stderr)
    tenant = settings.demo_tenant_dir
    print(f"building the default model from {tenant} into {model_dir} …", file=sys.stderr)
    train_router(tenant / "complaints.csv", model_dir, InputColumns(label="opd"),
                 gazetteer=tenant / "areas.csv", units=tenant / "units.csv", tenant=tenant.name)
    add_default_screener(model_dir, settings)
    return model_dir


def add_default_screener(model_dir: Path, settings: Settings) -> None:
    """Bundle a screener: trained on LAPOR_SCREENING_DATA when set (e.g. the Ibrohim & Budi tweets,
    which may not be redistributed), else on the demo tenant's small self-written seed set, where the
    rules decide complaint text and the model part is only a demonstration."""
    from pipeline.screening import Screener
    from pipeline.screening.training import add_screener, load_screening_frame

    data = settings.screening_data or settings.demo_tenant_dir / "screening_seed.csv"
    texts, labels, _ = load_screening_frame(data, "Tweet")
    params = {} if settings.screening_data else {"cv": 0, "min_df": 1}
    accusation, accusation_info = default_accusation_detector(settings)
    add_screener(model_dir, Screener(**params, accusation=accusation).fit(texts, labels),
                 {"training_data": {"file": Path(data).name, "rows_used": len(texts)}, "params": params,
                  "accusation": accusation_info})


def default_accusation_detector(settings: Settings):
    """The complaint-register accusation detector: fitted at build time on the hand labels
    (``pipeline/screening/labels_2022.csv``) and the real complaints they point into when
    ``LAPOR_SHARED_DATA`` (or ``../shared/data``) holds them — such a model is never committed — else
    ``None`` (the screener then fits it on the self-written seed)."""
    from pipeline.screening.accusation_eval import LABELS_PATH, train_from_labels

    data = settings.shared_data / "surabaya" / "complaints_2022.csv"
    if not data.exists():
        return None, {"training_data": "self-written seed (pipeline/resources/accusation_seed.tsv)"}
    detector, report = train_from_labels(data, LABELS_PATH)
    return detector, {"training_data": f"{LABELS_PATH.name} + {data.name}", "threshold": detector.threshold,
                      "time_fold_validation": report["sample"]}


def _build_default(args: argparse.Namespace, settings: Settings) -> int:
    print(ensure_default_model(settings, force=args.force))
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.batch import run_batch
    from pipeline.columns import InputColumns
    from pipeline.model import TriageModel

    model = TriageModel.load(ensure_default_model(settings))
    backlog = settings.demo_tenant_dir / "backlog.csv"
    summary = run_batch(backlog, args.out, InputColumns(), model.predict_records, model.output_spec,
                        options={"command": "demo", "model_version": model.version})
    with open(summary.output, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    units = collections.Counter(r["opd"] for r in rows if not r["error"])
    auto = sum(r["auto_route"] == "true" for r in rows)
    print(f"model {model.version}: {summary.rows} complaints in the demo backlog → {summary.output}")
    print(f"  auto-routed: {auto}; for operator review: {summary.rows - auto - summary.errors}; "
          f"rows with errors (kept, with reason): {summary.errors}")
    for unit, n in units.most_common(10):
        print(f"  {n:4d}  {unit}")
    for r in rows:
        if r["error"]:
            print(f"  error kept in output: {r['id']}: {r['error']}")
    return 0
