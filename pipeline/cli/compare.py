"""``compare``: two models on one labelled hold-out, side by side (``pipeline.routing.compare``)."""

from __future__ import annotations

import argparse
import json

from pipeline.cli.common import add_column_args, columns_from_args
from pipeline.settings import Settings


def register(sub) -> None:
    p = sub.add_parser("compare", help="compare two models on a labelled hold-out",
                       description="Score models A and B on the same labelled rows (rows neither model was trained "
                                   "on): top-1, top-3, macro-F1, auto-route coverage at the target precision, the "
                                   "largest per-unit changes, and which model wins by how much.")
    p.add_argument("--models", nargs=2, required=True, metavar=("A", "B"), help="two model directories")
    p.add_argument("--data", required=True, help="labelled hold-out: CSV/TSV, XLSX, JSONL or Parquet")
    p.add_argument("--target-precision", type=float, default=0.95,
                   help="precision the auto-route coverage is measured at (default 0.95)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON instead of the table")
    add_column_args(p, label=True)
    p.set_defaults(handler=_compare)


def _compare(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.routing.compare import compare, render

    if not 0 < args.target_precision <= 1:
        raise SystemExit("error: --target-precision must be in (0, 1]")
    c = compare(args.models[0], args.models[1], args.data, columns_from_args(args), args.target_precision)
    if args.json:
        out = {"models": list(c.names), "winner": None if c.winner is None else c.names[c.winner],
               "metrics": [{k: v for k, v in m.items() if k != "per_unit"} for m in c.metrics],
               "top1_difference_interval": list(c.top1_interval), "warnings": c.warnings,
               "per_unit": c.per_unit.round(4).to_dict("records")}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(render(c))
    return 0
