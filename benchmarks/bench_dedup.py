"""Duplicate-index benchmark: build time, peak memory, query latency at N synthetic complaints.

Complaints are synthesised from real ones (../shared/data/surabaya/complaints_2022.csv; the demo
tenant when absent) by recombining sentences: each synthetic complaint takes the area fields and
address of one real complaint and one to four sentences drawn from real complaints of the same
kecamatan (so areas keep their own vocabulary), with a time drawn uniformly over two years.

    python benchmarks/bench_dedup.py --n 1000000 [--queries 2000] [--jobs 2] [--save PATH]

Build = featurising every complaint (``--jobs`` processes) + inserting them into the index in time
order. Queries are fresh synthetic complaints (not in the index) with times in the second year,
so each sees a full 60-day window. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.dedup.features import ComplaintFeatures  # noqa: E402
from pipeline.dedup.index import DuplicateFinder  # noqa: E402
from pipeline.dedup.runner import featurize_records  # noqa: E402

REAL = Path(os.environ.get("LAPOR_SHARED_DATA", REPO.parent / "shared" / "data")) / "surabaya" / "complaints_2022.csv"
DEMO = REPO / "pipeline" / "tenants" / "selayar" / "complaints.csv"
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\\n|\n")
T0 = pd.Timestamp("2023-01-01").timestamp()
TWO_YEARS = 2 * 365 * 86400.0


def source_frame() -> pd.DataFrame:
    if REAL.is_file():
        path = REAL
    else:
        print(f"note: {REAL} not found; synthesising from the demo tenant {DEMO} instead", file=sys.stderr)
        path = DEMO
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("kelurahan", "kecamatan", "address"):
        if col not in df.columns:
            df[col] = ""
    return df


def synthesise(df: pd.DataFrame, n: int, seed: int, t_lo: float, t_hi: float) -> list[tuple]:
    """(row, id, time, text, kelurahan, kecamatan, address) records."""
    rng = np.random.default_rng(seed)
    sentences_by_kec: dict[str, list[str]] = {}
    for kec, text in zip(df["kecamatan"], df["text"]):
        parts = [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 3]
        sentences_by_kec.setdefault(kec, []).extend(parts)
    pools = {k: np.array(v, dtype=object) for k, v in sentences_by_kec.items() if v}
    base = rng.integers(0, len(df), n)
    counts = rng.integers(1, 5, n)
    times = np.sort(rng.uniform(t_lo, t_hi, n))
    kel, kec, addr = df["kelurahan"].to_numpy(), df["kecamatan"].to_numpy(), df["address"].to_numpy()
    out = []
    for i in range(n):
        b = base[i]
        pool = pools.get(kec[b]) if kec[b] in pools else pools[next(iter(pools))]
        picks = pool[rng.integers(0, len(pool), counts[i])]
        out.append((i, f"S{seed}-{i}", float(times[i]), ". ".join(picks), kel[b], kec[b], addr[b]))
    return out


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="complaints to index (default 1,000,000)")
    ap.add_argument("--queries", type=int, default=2000, help="timed queries (default 2000)")
    ap.add_argument("--jobs", type=int, default=2, help="processes for featurising (default 2)")
    ap.add_argument("--save", help="also save the index here and time save/load")
    args = ap.parse_args(argv)

    df = source_frame()
    t = time.perf_counter()
    records = synthesise(df, args.n, seed=1, t_lo=T0, t_hi=T0 + TWO_YEARS)
    synth_s = time.perf_counter() - t

    t = time.perf_counter()
    feats = featurize_records(records, jobs=args.jobs)
    del records
    featurize_s = time.perf_counter() - t
    t = time.perf_counter()
    finder = DuplicateFinder()
    finder.fit(f for _, f in feats)  # synthesised in time order already
    insert_s = time.perf_counter() - t
    del feats
    build_s = featurize_s + insert_s

    queries = synthesise(df, args.queries, seed=2, t_lo=T0 + TWO_YEARS / 2, t_hi=T0 + TWO_YEARS)
    qfeats = [ComplaintFeatures.build(r[1], r[2], r[3], r[4], r[5], r[6]) for r in queries]
    for q in qfeats[:50]:  # warm caches
        finder.query(q)
    lat = []
    t_all = time.perf_counter()
    for q, r in zip(qfeats, queries):
        t = time.perf_counter()
        finder.query(ComplaintFeatures.build(r[1], r[2], r[3], r[4], r[5], r[6]))
        lat.append(time.perf_counter() - t)
    query_total_s = time.perf_counter() - t_all
    lat_ms = np.array(lat) * 1000
    # the cost of one incremental add (no rebuild)
    t = time.perf_counter()
    for q in qfeats[:1000]:
        finder.add(q)
    add_ms = (time.perf_counter() - t) / min(1000, len(qfeats)) * 1000

    result = {
        "n_indexed": len(finder), "source": str(REAL if REAL.is_file() else DEMO), "jobs": args.jobs,
        "synthesise_s": round(synth_s, 1), "featurize_s": round(featurize_s, 1), "insert_s": round(insert_s, 1),
        "build_s": round(build_s, 1), "peak_rss_mb": round(rss_peak_mb()),
        "queries": len(lat), "query_p50_ms": round(float(np.percentile(lat_ms, 50)), 2),
        "query_p99_ms": round(float(np.percentile(lat_ms, 99)), 2),
        "query_max_ms": round(float(lat_ms.max()), 2), "queries_per_s": round(len(lat) / query_total_s, 1),
        "add_one_ms": round(add_ms, 3), "note": "query latency includes featurising the query text",
    }
    if args.save:
        t = time.perf_counter()
        finder.save(args.save)
        result["save_s"] = round(time.perf_counter() - t, 1)
        result["index_file_mb"] = round(Path(args.save).stat().st_size / 2**20)
        del finder
        t = time.perf_counter()
        DuplicateFinder.load(args.save)
        result["load_s"] = round(time.perf_counter() - t, 1)
        result["peak_rss_mb"] = round(rss_peak_mb())
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
