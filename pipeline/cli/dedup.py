"""``dedup``: find, for every complaint, the earlier complaints it likely duplicates."""

from __future__ import annotations

import argparse
import sys

from pipeline.cli.common import (add_batch_args, add_column_args, batch_output_args, columns_from_args,
                                 engine_from_args, report_batch)
from pipeline.settings import Settings


def register(sub) -> None:
    p = sub.add_parser(
        "dedup", help="find earlier complaints about the same issue (streaming, resumable)",
        description="One output row per input row, same order: id, duplicate_of (JSON list of {id, score}, "
                    "best first, at most 5, only earlier complaints), is_duplicate. Each row is compared with "
                    "earlier rows (by time) of the input and of the optional --history.",
    )
    add_batch_args(p)
    add_column_args(p)
    p.add_argument("--history", help="earlier complaints: a table (CSV/TSV, XLSX, JSONL, Parquet) or an index "
                                     "saved with --save-index (.npz)")
    p.add_argument("--window-days", type=float, default=60.0,
                   help="only complaints at most this many days earlier are candidates (default 60)")
    p.add_argument("--threshold", type=float, default=None,
                   help="is_duplicate when the best score reaches this (default: the calibrated 0.7)")
    p.add_argument("--save-index", help="write the index (history + input) to this .npz for the next run")
    p.add_argument("--jobs", type=int, default=1, help="worker processes for reading texts (default 1)")
    p.set_defaults(handler=_dedup)


def _dedup(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.dedup.index import DuplicateFinder

    if args.window_days <= 0:
        raise SystemExit("error: --window-days must be positive")
    finder = DuplicateFinder(window_days=args.window_days,
                             **({"threshold": args.threshold} if args.threshold is not None else {}))
    common = dict(history=args.history, chunk_size=args.chunk_size or settings.chunk_size, jobs=args.jobs,
                  save_index=args.save_index, finder=finder)
    if args.engine == "local":
        from pipeline.dedup.runner import run_dedup

        summary, finder = run_dedup(args.in_path, args.out_path, columns_from_args(args),
                                    window_days=args.window_days, **common, **batch_output_args(args, settings))
    else:  # features and output on the cluster, the time-ordered walk here (pipeline/engines/dedup.py)
        from pipeline.engines import dedup as engine_dedup

        engine = engine_from_args(args, settings)
        try:
            summary, finder = engine_dedup.run_dedup(engine, args.in_path, args.out_path, columns_from_args(args),
                                                     resume=args.resume, progress=args.progress, **common)
        finally:
            engine.close()
    report_batch(summary)
    print(f"duplicate index holds {len(finder)} complaints", file=sys.stderr)
    return 0
