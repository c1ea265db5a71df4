"""The Dask engine: a batch job's partitions run on a Dask cluster (``--engine dask --scheduler tcp://…``).

- The client plans the partitions (:mod:`pipeline.engines.partitions`), ships the model once per worker
  (:mod:`pipeline.engines.shipping`) and submits one task per partition not yet finished.
- A task reads its partition from the input path (the workers must see the same files: one machine, or
  a shared file system), processes it in chunks with the local engine's row rules (an error row keeps
  its place) and writes ``part-NNNNNN.parquet`` into the staging directory ``OUT.parts/`` atomically.
- Resuming (``--resume``) skips every partition whose part exists, provided the input, the options
  and the partition plan are unchanged. A worker that dies loses only its running partition: the
  scheduler runs it again elsewhere, and the part appears once.
- When every part is there, ``OUT.parquet`` becomes the directory of parts (a Parquet dataset whose
  file order is the input order) in one rename; any other output (or ``--single-file``) is written
  from the parts in order, atomically, by the local engine's writer.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from pipeline.batch import KEPT, BatchSummary, OutputSpec, process_chunk, progress_bar, write_output
from pipeline.batch.partial import fingerprint
from pipeline.batch.spec import kept_columns, output_names, with_kept
from pipeline.engines.jobs import BatchJob
from pipeline.engines.partitions import Partition, Source, plan, read_partition
from pipeline.engines.work import Work
from pipeline.errors import DataError, LaporError
from pipeline.io import columns_of, table_format
from pipeline.columns import InputColumns
from pipeline.settings import MAX_TEXT_CHARS
from pipeline.writers import OutputFormat

log = logging.getLogger(__name__)

JOB_FILE = "_job.json"
DEFAULT_PARTITION_ROWS = 50_000


class EngineError(LaporError):
    """The cluster cannot be used (extra not installed, scheduler unreachable, a task failed)."""


def part_name(index: int) -> str:
    return f"part-{index:06d}.parquet"


# ------------------------------------------------------------------ on the worker

def run_partition(source: Source, part: Partition, work: Work, columns: InputColumns, spec: OutputSpec,
                  model_digest: str | None, chunk_size: int, staging: str, kept: dict[str, str] | None = None,
                  max_text_chars: int = MAX_TEXT_CHARS) -> tuple[int, int, int]:
    """Process one partition and write its part atomically; (index, rows, error rows).

    ``kept``: input columns carried beside the results (source name → output name), as the local engine does.
    """
    from pipeline.engines.shipping import loaded

    kept = kept or {}
    process = work.process(loaded(model_digest) if model_digest else None)
    frame = read_partition(source, part)
    rows: list[dict] = []
    for i in range(0, len(frame), chunk_size):
        raw = frame.iloc[i : i + chunk_size]
        chunk = with_kept(columns.standardise(raw), raw, list(kept))
        rows.extend(process_chunk(chunk, columns.text, process, spec, max_text_chars))
    rows = [{**r, **{out: r.get(KEPT + src) for src, out in kept.items()}} for r in rows]
    errors = write_output(rows, Path(staging) / part_name(part.index), "parquet", spec, kept)
    return part.index, len(rows), errors


def featurize_partition(source: Source, part: Partition, columns: InputColumns) -> list:
    from pipeline.dedup.runner import chunk_records, featurize_block

    return featurize_block(list(chunk_records(read_partition(source, part), columns)))


# ------------------------------------------------------------------ on the client

@dataclass
class DaskEngine:
    scheduler: str
    partition_rows: int = DEFAULT_PARTITION_ROWS
    single_file: bool = False

    def _client(self):
        try:
            from distributed import Client
        except ImportError:
            raise EngineError("--engine dask needs the dask extra: pip install 'lapor-triage[dask]'") from None
        if not getattr(self, "_connected", None):
            try:
                self._connected = Client(self.scheduler, timeout=30, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise EngineError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None
        return self._connected

    def close(self) -> None:
        if getattr(self, "_connected", None):
            self._connected.close()
            self._connected = None

    def featurize(self, path, columns: InputColumns) -> list:
        """Duplicate-search features of every usable row, computed on the workers, in input order."""
        client = self._client()
        source, parts = plan(path, self.partition_rows)
        futures = [client.submit(featurize_partition, source, p, columns, pure=False) for p in parts]
        out: list = []
        for fut in futures:
            out.extend(fut.result())
        return out

    def run(self, job: BatchJob) -> BatchSummary:
        started = time.perf_counter()
        in_path, out_path = Path(job.in_path), Path(job.out_path)
        out_format = table_format(out_path)
        dataset = out_format == "parquet" and not self.single_file
        available = columns_of(in_path, sep=job.columns.sep)
        job.columns.require(available, in_path)
        kept = output_names(kept_columns(job.keep, available, in_path, job.columns), job.spec)
        if out_format != "parquet" or self.single_file:
            out_format = OutputFormat.for_path(out_path, excel=job.excel)
        source, parts = plan(in_path, self.partition_rows, job.chunk_size)
        staging = out_path.with_name(out_path.name + ".parts")
        state = {**fingerprint(in_path, job.options), "spec": job.spec.names, "keep": kept,
                 "partitions": [p.describe() for p in parts]}
        self._prepare(staging, state, job.resume, out_path)

        pending = [p for p in parts if not (staging / part_name(p.index)).exists()]
        done_rows = sum(p.rows for p in parts) - sum(p.rows for p in pending)
        if done_rows:
            log.info("resuming %s: %d of %d partitions already done", out_path, len(parts) - len(pending), len(parts))
        bar = progress_bar(job.progress, initial=done_rows)
        try:
            self._compute(job, source, pending, staging, bar, kept)
        finally:
            if bar is not None:
                bar.close()
        errors = self._finish(parts, staging, out_path, out_format, dataset, job.spec, kept)
        return BatchSummary(rows=sum(p.rows for p in parts), errors=errors, resumed_from=done_rows,
                            seconds=time.perf_counter() - started, output=str(out_path))

    def _prepare(self, staging: Path, state: dict, resume: bool, out_path: Path) -> None:
        job_file = staging / JOB_FILE
        if resume and job_file.exists():
            if json.loads(job_file.read_text(encoding="utf-8")) != json.loads(json.dumps(state)):
                raise DataError(f"{out_path}: cannot resume: the input file or the options changed since the "
                                "interrupted run; run again without --resume to start over")
            return
        if staging.exists():
            log.warning("%s: discarding an earlier unfinished run (use --resume to continue it)", staging)
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        tmp = staging / (JOB_FILE + ".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, job_file)

    def _compute(self, job: BatchJob, source: Source, pending: list[Partition], staging: Path, bar,
                 kept: dict[str, str]) -> None:
        if not pending:
            return
        from distributed import as_completed

        client = self._client()
        digest = None
        if job.model_dir is not None:
            from pipeline.engines.shipping import ModelFiles, ModelPlugin

            files = ModelFiles.read(job.model_dir)
            client.register_plugin(ModelPlugin(files))
            digest = files.digest
        token = uuid.uuid4().hex[:8]
        futures = [
            client.submit(run_partition, source, p, job.work.for_rows(p.first_row, p.rows), job.columns, job.spec,
                          digest, job.chunk_size, str(staging), kept, job.max_text_chars,
                          key=f"lapor-part-{token}-{p.index}", pure=False)
            for p in pending
        ]
        try:
            for fut in as_completed(futures, loop=client.loop):
                if fut.status == "error":
                    exc = fut.exception()
                    raise exc if isinstance(exc, LaporError) else EngineError(
                        f"partition task failed: {type(exc).__name__}: {exc}") from exc
                _, rows, _ = fut.result()
                if bar is not None:
                    bar.update(rows)
        finally:
            client.cancel([f for f in futures if not f.done()])

    def _finish(self, parts: list[Partition], staging: Path, out_path: Path, out_format, dataset: bool,
                spec: OutputSpec, kept: dict[str, str]) -> int:
        import pyarrow.parquet as pq

        files = [staging / part_name(p.index) for p in parts]
        missing = [f.name for f in files if not f.exists()]
        if missing:
            raise EngineError(f"{staging}: parts missing after the run: {', '.join(missing[:5])}; run with --resume")
        for stray in staging.glob(".*.tmp"):  # a worker killed while writing
            stray.unlink()
        errors = sum(sum(1 for e in pq.read_table(f, columns=["error"]).column("error").to_pylist() if e)
                     for f in files)
        if dataset:
            (staging / JOB_FILE).unlink()
            _swap_directory(staging, out_path)
        else:
            rows = (r for f in files for r in pq.read_table(f).to_pylist())
            write_output(rows, out_path, out_format, spec, kept)
            shutil.rmtree(staging)
        return errors


def _swap_directory(staging: Path, out_path: Path) -> None:
    """Put the finished dataset directory in place of ``out_path`` (a file or an earlier dataset)."""
    old = None
    if out_path.exists():
        old = out_path.with_name(f".{out_path.name}.old-{os.getpid()}")
        os.replace(out_path, old)
    os.replace(staging, out_path)
    if old is not None:
        shutil.rmtree(old) if old.is_dir() else old.unlink()
