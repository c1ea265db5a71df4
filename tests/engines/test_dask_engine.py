"""The Dask engine on a real ``distributed.LocalCluster`` (two worker processes on loopback).

Same rows, ids in input order and suggestions as the local engine; a worker killed mid-run does not
lose or duplicate a row; a client that dies leaves finished partitions that ``--resume`` keeps.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed: pip install -e '.[dask]'")

from pipeline.cli import main  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("dask")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  scheduler_port=0, dashboard_address=None, local_directory=str(scratch),
                                  silence_logs=40) as c:
        yield c


@pytest.fixture(scope="module")
def backlog(tmp_path_factory, demo_dir):
    """The demo backlog four times over (unique ids), with its bad rows: 252 rows."""
    src = pd.read_csv(demo_dir / "backlog.csv", dtype=str, keep_default_na=False)
    copies = []
    for k in range(4):
        c = src.copy()
        c["id"] = [f"{i}-{k}" if i else "" for i in c["id"]]
        copies.append(c)
    path = tmp_path_factory.mktemp("backlog") / "backlog.csv"
    pd.concat(copies, ignore_index=True).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def screener_dir(tmp_path_factory, demo_dir):
    out = tmp_path_factory.mktemp("screener") / "s"
    assert main(["train-screening", "--data", str(demo_dir / "screening_seed.csv"), "--out", str(out),
                 "--threshold", "0.5"]) == 0
    return out


def _local(tmp_path, *args) -> pd.DataFrame:
    out = tmp_path / "local.parquet"
    assert main([*args, "--out", str(out)]) == 0
    return pd.read_parquet(out)


def test_predict_on_dask_equals_the_local_engine(tmp_path, cluster, demo_model, backlog):
    args = ["predict", "--model", str(demo_model), "--in", str(backlog)]
    local = _local(tmp_path, *args)
    out = tmp_path / "dask.parquet"
    assert main([*args, "--out", str(out), "--engine", "dask", "--scheduler", cluster.scheduler_address,
                 "--partition-rows", "40"]) == 0
    assert out.is_dir() and sorted(p.name for p in out.iterdir())[:2] == ["part-000000.parquet", "part-000001.parquet"]
    got = pd.read_parquet(out)
    assert got["id"].tolist() == local["id"].tolist() == [i if i else str(n + 1) for n, i in
                                                          enumerate(pd.read_csv(backlog, dtype=str,
                                                                                keep_default_na=False)["id"])]
    pd.testing.assert_frame_equal(got, local)
    assert (got["error"] != "").sum() > 0  # the demo backlog's bad rows kept, in place
    assert not list(tmp_path.glob("*.parts"))


def test_screen_and_dedup_on_dask_equal_the_local_engine_as_single_files(tmp_path, cluster, screener_dir, backlog):
    for command, out_name in (("screen", "s.csv"), ("dedup", "d.jsonl")):
        args = [command, "--in", str(backlog)] + (["--model", str(screener_dir)] if command == "screen" else [])
        local_out, dask_out = tmp_path / f"local-{out_name}", tmp_path / f"dask-{out_name}"
        assert main([*args, "--out", str(local_out)]) == 0
        assert main([*args, "--out", str(dask_out), "--engine", "dask", "--scheduler", cluster.scheduler_address,
                     "--partition-rows", "50"]) == 0
        assert dask_out.read_bytes() == local_out.read_bytes()
    dups = pd.read_json(tmp_path / "dask-d.jsonl", lines=True)
    assert dups["is_duplicate"].sum() >= 3 * 55  # each copy after the first repeats the earlier ones


SLOW_WORK = '''
import time
from dataclasses import dataclass
from pipeline.engines import Work

@dataclass(frozen=True)
class SlowWork(Work):
    """The real work, a little slower, so that a run can be interrupted half-way."""
    delay: float = 0.4

    def process(self, model_dir):
        base = Work.process(self, model_dir)

        def slow(df):
            time.sleep(self.delay)
            return base(df)
        return slow
'''


def _wait_for_parts(staging: Path, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if staging.is_dir() and len(list(staging.glob("part-*.parquet"))) >= n:
            return
        time.sleep(0.02)
    raise AssertionError(f"{staging}: fewer than {n} parts after {timeout}s")


def test_a_worker_killed_mid_run_loses_no_row(tmp_path, cluster, demo_model, backlog):
    namespace: dict = {}
    exec(compile(SLOW_WORK, "slow_work", "exec"), namespace)  # defined here, pickled by value to the workers
    from pipeline.batch import BatchSummary  # noqa: F401
    from pipeline.engines import BatchJob
    from pipeline.engines.dask_engine import DaskEngine
    from pipeline.columns import InputColumns
    from pipeline.model import TriageModel

    model = TriageModel.load(demo_model)
    out = tmp_path / "dask.parquet"
    job = BatchJob(backlog, out, InputColumns(), namespace["SlowWork"]("predict"), model.output_spec,
                   model_dir=demo_model)
    with distributed.Client(cluster.scheduler_address) as watcher:
        pids = list(watcher.run(os.getpid).values())

    def kill_one_worker():
        _wait_for_parts(out.with_name(out.name + ".parts"), 1)
        os.kill(pids[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    engine = DaskEngine(cluster.scheduler_address, partition_rows=20)
    try:
        summary = engine.run(job)
    finally:
        engine.close()
        killer.join()
    assert summary.rows == 252
    local = _local(tmp_path, "predict", "--model", str(demo_model), "--in", str(backlog))
    pd.testing.assert_frame_equal(pd.read_parquet(out), local)
    cluster.wait_for_workers(2, timeout=60)  # the nanny restarted the killed worker


def test_resume_after_the_client_dies_keeps_finished_partitions(tmp_path, cluster, demo_model, backlog):
    out = tmp_path / "dask.csv"
    script = tmp_path / "client.py"
    script.write_text(SLOW_WORK + textwrap.dedent(f'''
        import sys
        from pathlib import Path
        from pipeline.engines import BatchJob
        from pipeline.engines.dask_engine import DaskEngine
        from pipeline.columns import InputColumns
        from pipeline.model import TriageModel

        model = TriageModel.load({str(demo_model)!r})
        job = BatchJob(Path({str(backlog)!r}), Path({str(out)!r}), InputColumns(), SlowWork("predict"),
                       model.output_spec, model_dir=Path({str(demo_model)!r}), resume=sys.argv[1] == "resume",
                       options={{"model_version": model.version}})
        engine = DaskEngine({cluster.scheduler_address!r}, partition_rows=20)
        print(engine.run(job).as_dict()["resumed_from_row"])
        engine.close()
    '''), encoding="utf-8")
    staging = out.with_name(out.name + ".parts")
    client = subprocess.Popen([sys.executable, str(script), "fresh"], cwd=REPO)
    try:
        _wait_for_parts(staging, 3)
    finally:
        client.send_signal(signal.SIGKILL)
        client.wait()
    assert not out.exists()
    kept = {p.name: p.stat().st_mtime_ns for p in staging.glob("part-*.parquet")}
    assert 3 <= len(kept) < 13
    done = subprocess.run([sys.executable, str(script), "resume"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip().splitlines()[-1]) >= 60  # at least the three parts seen were not redone
    local_out = tmp_path / "local.csv"
    assert main(["predict", "--model", str(demo_model), "--in", str(backlog), "--out", str(local_out)]) == 0
    assert out.read_bytes() == local_out.read_bytes()
    assert not staging.exists()
