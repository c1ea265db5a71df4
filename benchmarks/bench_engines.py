"""Batch engines on one backlog: rows/s for local, local --workers 2, and Dask with 1 and 2 workers.

    .venv/bin/python benchmarks/bench_engines.py [--rows 1000000] [--data PATH] [--partition-rows 50000]

The backlog is built from the real Surabaya complaints (``../shared/data``; skipped with a message
when absent): the 8,690 complaints repeated, each copy with its own ids, to ``--rows`` rows of CSV. A
router is trained on the same complaints first. Every engine runs ``predict`` on the same file to a
Parquet output, end to end (reading, routing with explanations, writing); the Dask runs use a
``LocalCluster`` on this machine (worker processes with one thread each). Prints rows/s, the ratio of
each to the local single-process baseline measured in the same run, the Dask 2-vs-1 speed-up (the
acceptance figure: >= 1.6) and the scaling efficiency, and checks that every engine wrote the same
suggestions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.engines import BatchJob, LocalEngine, Work  # noqa: E402
from pipeline.columns import InputColumns  # noqa: E402
from pipeline.model import TriageModel  # noqa: E402

SHARED = Path(os.environ.get("LAPOR_SHARED_DATA", REPO.parent / "shared" / "data"))
DEFAULT_DATA = SHARED / "surabaya" / "complaints_2022.csv"


def build_backlog(data: Path, rows: int, out: Path) -> None:
    src = pd.read_csv(data, dtype=str, keep_default_na=False)
    src = src[["id", "text", "address", "created_at", "kecamatan", "kelurahan"]]
    written, copy = 0, 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        while written < rows:
            part = src.iloc[: rows - written].copy()
            part["id"] = part["id"] + f"-{copy}"
            part.to_csv(fh, index=False, header=written == 0)
            written += len(part)
            copy += 1


def timed(engine, job: BatchJob) -> float:
    started = time.perf_counter()
    summary = engine.run(job)
    seconds = time.perf_counter() - started
    assert summary.rows == rows_expected, (summary.rows, rows_expected)
    return seconds


def dask_engine(workers: int, scratch: Path, partition_rows: int):
    from distributed import LocalCluster

    from pipeline.engines.dask_engine import DaskEngine

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           scheduler_port=0, dashboard_address=None, local_directory=str(scratch),
                           silence_logs=40)
    return cluster, DaskEngine(cluster.scheduler_address, partition_rows=partition_rows)


def main() -> int:
    global rows_expected
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--partition-rows", type=int, default=50_000)
    ap.add_argument("--chunk-size", type=int, default=2000)
    ap.add_argument("--model", type=Path, help="a router trained on the same data (default: train one now)")
    ap.add_argument("--only", nargs="*", default=None, help="subset of: local local2 dask1 dask2")
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"skipped: {args.data} is missing (set LAPOR_SHARED_DATA to the shared data folder); the engine "
              "benchmark needs the real complaints")
        return 0
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("skipped: the dask extra is not installed (pip install -e '.[dask]')")
        return 0
    rows_expected = args.rows
    tmp = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    try:
        from pipeline.routing.training import train_router

        model_dir = args.model
        if model_dir is None:
            t0 = time.perf_counter()
            model_dir = tmp / "model"
            train_router(args.data, model_dir, InputColumns(label="opd"))
            print(f"router trained in {time.perf_counter() - t0:.0f}s")
        backlog = tmp / "backlog.csv"
        t0 = time.perf_counter()
        build_backlog(args.data, args.rows, backlog)
        print(f"backlog: {args.rows:,} rows, {backlog.stat().st_size / 1e6:.0f} MB CSV, built in "
              f"{time.perf_counter() - t0:.0f}s; partitions of {args.partition_rows:,} rows; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        model = TriageModel.load(model_dir)

        def job(name: str) -> BatchJob:
            return BatchJob(backlog, tmp / f"{name}.parquet", InputColumns(), Work("predict"), model.output_spec,
                            model_dir=model_dir, chunk_size=args.chunk_size,
                            options={"model_version": model.version})

        results: dict[str, float] = {}
        plan = args.only or ["local", "local2", "dask1", "dask2"]
        for name in plan:
            if name.startswith("local"):
                engine = LocalEngine(workers=2 if name == "local2" else 1)
                results[name] = timed(engine, job(name))
            else:
                cluster, engine = dask_engine(int(name[-1]), tmp / f"scratch-{name}", args.partition_rows)
                try:
                    results[name] = timed(engine, job(name))
                finally:
                    engine.close()
                    cluster.close()
            print(f"  {name:7s} {args.rows / results[name]:8.0f} rows/s  ({results[name]:.0f}s; load average "
                  f"{os.getloadavg()[0]:.1f} after)", flush=True)

        reference = None
        for name in plan:  # every engine wrote the same suggestions, in the same order
            got = pd.read_parquet(tmp / f"{name}.parquet", columns=["id", "opd", "confidence", "top_k"])
            if reference is None:
                reference = got
            else:
                pd.testing.assert_frame_equal(got, reference)
        rate = {k: args.rows / v for k, v in results.items()}
        base = rate.get("local")
        report = {"rows": args.rows, "rows_per_s": {k: round(v) for k, v in rate.items()},
                  "load_average_1min_at_end": round(os.getloadavg()[0], 1)}
        if base:
            report["vs_local"] = {k: round(v / base, 2) for k, v in rate.items()}
        if "dask1" in rate and "dask2" in rate:
            speedup = rate["dask2"] / rate["dask1"]
            report["dask_2_vs_1"] = round(speedup, 2)
            report["dask_scaling_efficiency"] = round(speedup / 2, 2)
            report["acceptance_dask_2_vs_1_at_least_1.6"] = speedup >= 1.6
        if "local" in rate and "local2" in rate:
            report["local_2_vs_1"] = round(rate["local2"] / rate["local"], 2)
        report["same_suggestions_all_engines"] = True
        print(json.dumps(report, indent=2))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


rows_expected = 0

if __name__ == "__main__":
    sys.exit(main())
