"""``train-screening``, ``screen`` and ``add-screening``: the screener's life cycle (handlers import what they run)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.cli.common import (add_batch_args, add_column_args, batch_output_args, columns_from_args,
                                 engine_from_args, print_json, report_batch)
from pipeline.settings import Settings


def register(sub) -> None:
    p = sub.add_parser(
        "train-screening", help="train the screener (abuse, hate/SARA, provocation, defamation risk)",
        description="Train a screener on texts labelled HS/Abusive (e.g. the Ibrohim & Budi tweets) and write a "
                    "model directory (artifacts + manifest.json). With --add-to, also add it to a router model "
                    "directory so that 'predict' screens too.")
    p.add_argument("--data", required=True, help="labelled texts: CSV/TSV, XLSX, JSONL or Parquet with HS and Abusive (0/1)")
    p.add_argument("--out", required=True, help="screener model directory to create or replace")
    p.add_argument("--text-col", default="Tweet", help="text column (default: Tweet)")
    p.add_argument("--add-to", metavar="MODEL_DIR", help="also add the screener to this router model directory")
    p.add_argument("--threshold", type=float, default=None,
                   help="model threshold for social-media text (default: chosen by 3-fold cross-validation)")
    p.set_defaults(handler=_train)

    p = sub.add_parser("screen", help="screen a file of complaints (streaming, resumable)",
                       description="One output row per input row: id, flagged, categories, evidence, reason. "
                                   "Flags only route a complaint to human review; nothing is rejected.")
    p.add_argument("--model", required=True, help="model directory from 'train-screening' (or a router directory with a screener)")
    add_batch_args(p)
    add_column_args(p)
    p.set_defaults(handler=_screen)

    p = sub.add_parser("add-screening", help="add a trained screener to a router model directory",
                       description="Copy the screener of SCREENER_DIR into MODEL_DIR (manifest rewritten, sha256 recomputed).")
    p.add_argument("--model", required=True, help="router model directory from 'train'")
    p.add_argument("--screener", required=True, help="model directory from 'train-screening'")
    p.set_defaults(handler=_add)


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.screening.training import train_screener

    if args.threshold is not None and not 0 < args.threshold < 1:
        raise SystemExit("error: --threshold must be in (0, 1)")
    params = {"threshold": args.threshold} if args.threshold is not None else {}
    manifest = train_screener(args.data, args.out, text_col=args.text_col, params=params, add_to=args.add_to)
    info = manifest["screening"]
    print_json({"model_dir": str(args.out), "model_version": manifest["model_version"],
                "threshold": info["threshold"], "validation": info["validation"],
                "rows_used": info["training_data"]["rows_used"], "added_to": args.add_to})
    return 0


def _screen(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.engines import BatchJob, Work
    from pipeline.model import load_screener
    from pipeline.screening import SCREENING_OUTPUT

    _, manifest = load_screener(args.model)
    columns = columns_from_args(args)
    engine = engine_from_args(args, settings)
    try:
        summary = engine.run(BatchJob(
            Path(args.in_path), Path(args.out_path), columns, Work("screen"), SCREENING_OUTPUT,
            model_dir=Path(args.model), chunk_size=args.chunk_size or settings.chunk_size,
            **batch_output_args(args, settings),
            options={"command": "screen", "model_version": manifest["model_version"], "columns": vars(columns)},
        ))
    finally:
        engine.close()
    report_batch(summary)
    return 0


def _add(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.screening.training import add_screener_from

    manifest = add_screener_from(args.model, args.screener)
    print_json({"model_dir": str(args.model), "model_version": manifest["model_version"],
                "artifacts": sorted(manifest["artifacts"])})
    return 0
