"""``train``, ``predict`` and ``evaluate``: the router's life cycle.

The handlers import what they run (the router, scikit-learn, spaCy) when called: building the parser
(``lapor-triage --help``, any other command) stays light.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.cli.common import (add_batch_args, add_column_args, batch_output_args, columns_from_args,
                                 engine_from_args, print_json, report_batch)
from pipeline.settings import Settings


def register(sub) -> None:
    p = sub.add_parser("train", help="train a router on a labelled complaint export",
                       description="Train a router and write a model directory (artifacts + manifest.json).")
    p.add_argument("--data", required=True, help="labelled complaints: CSV/TSV, XLSX, JSONL or Parquet")
    p.add_argument("--out", required=True, help="model directory to create or replace")
    add_column_args(p, label=True)
    p.add_argument("--gazetteer", help="optional table of the tenant's areas (columns kecamatan, kelurahan)")
    p.add_argument("--units", help="optional table of the tenant's units (name, aliases, description): "
                                   "each becomes one extra training document")
    p.add_argument("--tenant", help="tenant name recorded in the manifest")
    p.add_argument("--target-precision", type=float, default=0.95,
                   help="auto_route only when validation precision at this confidence reaches it (default 0.95)")
    p.add_argument("--half-life-days", type=float, default=180.0,
                   help="recency weighting: a complaint this many days older counts half (0 = off; default 180)")
    p.add_argument("--validation-fraction", type=float, default=0.2,
                   help="latest share of complaints held out to calibrate and choose the threshold (default 0.2)")
    p.set_defaults(handler=_train)

    p = sub.add_parser("predict", help="route a file of complaints (streaming, resumable)",
                       description="One output row per input row: id, opd, confidence, top_k, auto_route, explanation.")
    p.add_argument("--model", required=True, help="model directory from 'train'")
    add_batch_args(p)
    add_column_args(p)
    p.add_argument("--history", help="also add duplicate_of / is_duplicate: earlier complaints (table or "
                                     "a 'dedup --save-index' .npz); see 'lapor-triage dedup --help'")
    p.add_argument("--window-days", type=float, default=60.0, help="duplicate window with --history (default 60)")
    p.set_defaults(handler=_predict)

    p = sub.add_parser("evaluate", help="score a model on labelled data and write a report",
                       description="Print JSON metrics and write a Markdown report with a confusion-matrix PNG.")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--report", help="Markdown report path (default: <data name>.evaluation.md in the current directory)")
    add_column_args(p, label=True)
    p.set_defaults(handler=_evaluate)


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.routing.training import train_router

    if not 0 < args.target_precision <= 1:
        raise SystemExit("error: --target-precision must be in (0, 1]")
    manifest = train_router(
        args.data, args.out, columns_from_args(args), gazetteer=args.gazetteer, units=args.units, tenant=args.tenant,
        router_params={
            "target_precision": args.target_precision,
            "recency_half_life_days": args.half_life_days or None,
            "validation_fraction": args.validation_fraction,
        },
    )
    print_json({"model_dir": str(args.out), "model_version": manifest["model_version"],
                "labels": len(manifest["labels"]), "threshold": manifest["threshold"],
                "validation": manifest["validation"]})
    return 0


def _predict(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.engines import BatchJob, Work
    from pipeline.model import TriageModel

    model = TriageModel.load(args.model)
    columns = columns_from_args(args)
    engine = engine_from_args(args, settings)
    try:
        work, spec, extra = Work("predict"), model.output_spec, {}
        if args.history:  # duplicates against the history and earlier input rows (pipeline/dedup)
            from pipeline.dedup.index import DuplicateFinder
            from pipeline.engines.dedup import NO_DUPLICATES, duplicate_rows, with_duplicate_columns

            rows, _ = duplicate_rows(engine, args.in_path, columns, args.history,
                                     DuplicateFinder(window_days=args.window_days))
            work, spec = Work("predict", rows=rows, missing=NO_DUPLICATES), with_duplicate_columns(spec)
            extra = {"history": str(args.history), "window_days": args.window_days}
        summary = engine.run(BatchJob(
            Path(args.in_path), Path(args.out_path), columns, work, spec, model_dir=Path(args.model),
            chunk_size=args.chunk_size or settings.chunk_size, **batch_output_args(args, settings, default_keep=True),
            options={"command": "predict", "model_version": model.version, "columns": vars(columns), **extra},
        ))
    finally:
        engine.close()
    report_batch(summary)
    return 0


def _evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.model import TriageModel
    from pipeline.routing.evaluate import evaluate, write_report

    model = TriageModel.load(args.model)
    metrics, pairs = evaluate(model, args.data, columns_from_args(args))
    report = Path(args.report or f"{Path(args.data).stem}.evaluation.md")
    write_report(metrics, pairs, report)
    metrics["report"] = str(report)
    print_json(metrics)
    return 0
