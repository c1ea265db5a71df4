"""Arguments shared by several commands (no pandas here: building the parser stays light)."""

from __future__ import annotations

import argparse
import json
import sys


def add_column_args(p: argparse.ArgumentParser, *, label: bool = False, default_label: str = "opd") -> None:
    g = p.add_argument_group("columns")
    g.add_argument("--text-col", default="text", help="complaint text column (default: text)")
    g.add_argument("--id-col", default="id", help="row id column; missing ids become the row number (default: id)")
    g.add_argument("--kelurahan-col", default="kelurahan", help="kelurahan/desa column, optional (default: kelurahan)")
    g.add_argument("--kecamatan-col", default="kecamatan", help="kecamatan column, optional (default: kecamatan)")
    g.add_argument("--time-col", default="created_at", help="submission time column, optional (default: created_at)")
    g.add_argument("--address-col", default="address", help="address column, optional (default: address)")
    g.add_argument("--sep", type=_separator, default=None,
                   help="CSV field separator: ',', ';', 'tab' or '|' (default: sniffed from the header row)")
    if label:
        g.add_argument("--label-col", default=default_label, help=f"responsible-unit column (default: {default_label})")


def columns_from_args(args: argparse.Namespace):
    """The :class:`~pipeline.columns.InputColumns` the column options name."""
    from pipeline.columns import InputColumns

    return InputColumns(
        text=args.text_col,
        id=args.id_col,
        label=getattr(args, "label_col", None),
        kelurahan=args.kelurahan_col,
        kecamatan=args.kecamatan_col,
        time=args.time_col,
        address=args.address_col,
        sep=args.sep,
    )


def _separator(value: str) -> str:
    sep = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(value.lower(), value)
    if len(sep) != 1:
        raise argparse.ArgumentTypeError(f"expected one character (or 'tab'), got {value!r}")
    return sep


def add_batch_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--in", dest="in_path", required=True, help="input CSV/TSV, XLSX, JSONL or Parquet")
    p.add_argument("--out", dest="out_path", required=True, help="output file; format from the extension (.csv, .tsv, .xlsx, .jsonl, .parquet)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run of the same command")
    p.add_argument("--restart", action="store_true", help="discard an interrupted run's finished rows and start over")
    p.add_argument("--excel", action="store_true",
                   help="CSV for Indonesian-locale Excel: ';' separator, ',' decimals, UTF-8 with BOM")
    p.add_argument("--keep", nargs="*", metavar="COL", default=None,
                   help="input columns copied beside the results (predict default: the text, kecamatan, "
                        "kelurahan and time columns; '--keep' alone: none)")
    p.add_argument("--chunk-size", type=int, default=None, help="rows per chunk (default: LAPOR_CHUNK_SIZE or 2000)")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes (default: LAPOR_WORKERS or 1); each chunk is processed by one worker")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar (default: only on a terminal)")
    g = p.add_argument_group("engine")
    g.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: this machine (default); dask: the partitions run on a Dask cluster")
    g.add_argument("--scheduler", help="Dask scheduler address, tcp://HOST:PORT (default: LAPOR_DASK_SCHEDULER)")
    g.add_argument("--partition-rows", type=int, default=None,
                   help="dask: rows per partition, the unit of work and of resuming (default 50000)")
    g.add_argument("--single-file", action="store_true",
                   help="dask: write one .parquet file instead of a directory of parts")


def batch_output_args(args: argparse.Namespace, settings, default_keep: bool = False) -> dict:
    """The ``run_batch`` keywords every batch command takes from its arguments and the settings."""
    keep = args.keep if args.keep is not None else (None if default_keep else [])
    return {"resume": args.resume, "restart": args.restart, "progress": args.progress, "keep": keep,
            "excel": args.excel, "max_text_chars": settings.max_text_chars}


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def report_batch(summary) -> None:
    """One line on stderr after a batch command: rows, output, rows with errors, time."""
    print(f"{summary.rows} rows → {summary.output} ({summary.errors} with errors) in {summary.seconds:.1f}s",
          file=sys.stderr)
    foreign = getattr(summary, "out_of_tenant", 0)
    if foreign:
        print(f"peringatan: {foreign} dari {summary.rows} baris tampaknya bukan dari wilayah model (wilayah tidak ada "
              "di data wilayah model, sedikit kata yang dikenal) dan tidak didisposisikan otomatis; lihat kolom "
              "out_of_tenant dan explanation, atau latih model untuk wilayah ini", file=sys.stderr)


def engine_from_args(args: argparse.Namespace, settings):
    """The batch engine the command line asks for (``--engine``, ``--scheduler``, ``--workers``)."""
    from pipeline.engines import make_engine

    if args.partition_rows is not None and args.partition_rows < 1:
        raise SystemExit("error: --partition-rows must be at least 1")
    return make_engine(args.engine, workers=args.workers or settings.workers,
                       scheduler=args.scheduler or settings.dask_scheduler, partition_rows=args.partition_rows,
                       single_file=args.single_file)
