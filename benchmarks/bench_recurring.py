"""Recurring-group maintenance benchmark: cost of filing one new complaint at 20,000 and at N complaints.

    python benchmarks/bench_recurring.py [--n 200000] [--baseline 20000] [--timed 1000] [--jobs 2]

Complaints are synthesised as in ``bench_dedup.py`` (sentences of real complaints of the same
kecamatan, the area and address of one real complaint, times uniform over two years; the demo
tenant when ../shared/data is absent). The grouper is filled in time order with every complaint
*linked* as on intake (the texts are prepared in ``--jobs`` processes to save wall time); at
``--baseline`` complaints and again at ``--n`` it times ``--timed`` complete additions — reading
the text, querying the index, linking, joining or merging groups — so both costs come from the same
run and the same code. The ratio should stay near 1: the cost per complaint is bounded by the
index's posting budget and candidate cap, not by the table size. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_dedup import REAL, T0, TWO_YEARS, rss_peak_mb, source_frame, synthesise  # noqa: E402
from pipeline.recurring.groups import RecurringComplaint, RecurringGrouper, prepare  # noqa: E402


def _complaint(r) -> RecurringComplaint:
    _, cid, t, text, kel, kec, addr = r
    return RecurringComplaint(cid, t, text, kel, kec, addr, unit="")


def _prepare(r):
    return prepare(_complaint(r))


def fill(grouper: RecurringGrouper, records, pool: Pool) -> float:
    t = time.perf_counter()
    for r, prepared in zip(records, pool.imap(_prepare, records, chunksize=500)):
        grouper.add(_complaint(r), prepared=prepared)
    return time.perf_counter() - t


def timed(grouper: RecurringGrouper, records) -> np.ndarray:
    lat = []
    for r in records:
        c = _complaint(r)
        t = time.perf_counter()
        grouper.add(c)
        lat.append(time.perf_counter() - t)
    return np.array(lat) * 1000


def stats(lat: np.ndarray) -> dict:
    return {"mean_ms": round(float(lat.mean()), 2), "p50_ms": round(float(np.percentile(lat, 50)), 2),
            "p99_ms": round(float(np.percentile(lat, 99)), 2), "max_ms": round(float(lat.max()), 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--baseline", type=int, default=20_000)
    ap.add_argument("--timed", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    if not 0 < args.baseline < args.n:
        ap.error("--baseline must be between 0 and --n")
    df = source_frame()
    total = args.n + 2 * args.timed
    records = synthesise(df, total, seed=1, t_lo=T0, t_hi=T0 + TWO_YEARS)
    # the timed complaints are taken out of the stream at the two sizes, keeping time order
    b0, b1 = args.baseline, args.n + args.timed
    first, at_base, middle, at_n = (records[:b0], records[b0:b0 + args.timed], records[b0 + args.timed:b1],
                                    records[b1:])
    grouper = RecurringGrouper()
    with Pool(args.jobs) as pool:
        fill_s = fill(grouper, first, pool)
        timed(grouper, at_base[:50])  # warm caches
        base = timed(grouper, at_base[50:])
        fill_s += fill(grouper, middle, pool)
        size_at_n = len(grouper)
        big = timed(grouper, at_n)
    groups = grouper.summaries(min_size=2) if len(grouper) <= 50_000 else None
    result = {
        "source": str(REAL if REAL.is_file() else "demo tenant"), "window_days": grouper.window_days,
        "baseline_size": b0 + 50, f"at_{b0}": stats(base), "size": size_at_n, f"at_{args.n}": stats(big),
        "ratio_mean": round(float(big.mean() / base.mean()), 2),
        "ratio_p99": round(float(np.percentile(big, 99) / np.percentile(base, 99)), 2),
        "fill_s": round(fill_s, 1), "groups_2plus": len(groups) if groups is not None else
        sum(1 for g in grouper.groups_.values() if g.size >= 2),
        "peak_rss_mb": round(rss_peak_mb()),
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
