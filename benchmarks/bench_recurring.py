"""Recurring-group maintenance benchmark: cost of filing one new complaint at 20,000 and at N complaints.

    python benchmarks/bench_recurring.py [--n 200000] [--baseline 20000] [--linked 10000] [--timed 1000] [--jobs 2]

Complaints are synthesised as in ``bench_dedup.py`` (sentences of real complaints of the same
kecamatan, the area and address of one real complaint, times uniform over two years; the demo
tenant when ../shared/data is absent). At each size the grouper holds the table: the older complaints
are *restored* (indexed as they are on a service start-up, texts prepared in ``--jobs`` processes),
the ``--linked`` complaints just before the timed ones are linked as on intake, so groups exist where
new complaints link. Then ``--timed`` complete additions are timed — reading the text, querying the
index, linking, joining or merging groups. Both sizes come from the same run and the same code; the
ratio should stay near 1 (the cost is bounded by the index's posting budget and candidate cap, not by the
table size). Prints one JSON object.
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


def fill(grouper: RecurringGrouper, records, pool: Pool, restore: bool) -> float:
    t = time.perf_counter()
    for r, prepared in zip(records, pool.imap(_prepare, records, chunksize=500)):
        grouper.add(_complaint(r), restore=restore, prepared=prepared)
    return time.perf_counter() - t


def build(size: int, linked: int, records, pool: Pool) -> tuple[RecurringGrouper, dict]:
    """A grouper holding ``records[:size]``: restored, then the last ``linked`` of them linked."""
    grouper = RecurringGrouper()
    restored_s = fill(grouper, records[:size - linked], pool, restore=True)
    linked_s = fill(grouper, records[size - linked:size], pool, restore=False)
    return grouper, {"restore_s": round(restored_s, 1), "link_s": round(linked_s, 1),
                     "link_mean_ms": round(linked_s / max(1, linked) * 1000, 2)}


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
    ap.add_argument("--linked", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    if not 0 < args.linked <= args.baseline < args.n:
        ap.error("need 0 < --linked <= --baseline < --n")
    df = source_frame()
    records = synthesise(df, args.n + args.timed + 50, seed=1, t_lo=T0, t_hi=T0 + TWO_YEARS)
    result = {"source": str(REAL if REAL.is_file() else "demo tenant"), "linked_before_timing": args.linked}
    lat = {}
    with Pool(args.jobs) as pool:
        for size in (args.baseline, args.n):
            # the timed complaints follow the table in time, as new arrivals do
            grouper, info = build(size, args.linked, records, pool)
            timed(grouper, records[size:size + 50])  # warm caches
            lat[size] = timed(grouper, records[size + 50:size + 50 + args.timed])
            info.update(stats(lat[size]), size=len(grouper) - 50 - args.timed,
                        groups_2plus=sum(1 for g in grouper.groups_.values() if g.size >= 2),
                        window_days=grouper.window_days)
            result[f"at_{size}"] = info
            del grouper
    base, big = lat[args.baseline], lat[args.n]
    result.update(ratio_mean=round(float(big.mean() / base.mean()), 2),
                  ratio_p50=round(float(np.percentile(big, 50) / np.percentile(base, 50)), 2),
                  ratio_p99=round(float(np.percentile(big, 99) / np.percentile(base, 99)), 2),
                  peak_rss_mb=round(rss_peak_mb()))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
