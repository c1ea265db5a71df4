"""One small interface for running a batch job: the local engine (this machine) and the Dask engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pipeline.batch import BatchSummary, OutputSpec, run_batch
from pipeline.engines.work import Work
from pipeline.columns import InputColumns
from pipeline.settings import MAX_TEXT_CHARS


@dataclass(frozen=True)
class BatchJob:
    """A batch command's input, output, per-row work and the model it needs (``None`` for precomputed rows)."""

    in_path: Path
    out_path: Path
    columns: InputColumns
    work: Work
    spec: OutputSpec
    model_dir: Path | None = None
    chunk_size: int = 2000
    resume: bool = False
    options: dict = field(default_factory=dict)
    progress: bool | None = None
    max_text_chars: int = MAX_TEXT_CHARS  # longer texts are error rows (LAPOR_MAX_TEXT_CHARS)
    restart: bool = False  # discard an unfinished earlier run (else it must be resumed)
    keep: list[str] | tuple[str, ...] | None = None  # input columns carried to the output (None: text, areas, date)
    excel: bool = False  # CSV for Indonesian-locale Excel


class Engine(Protocol):
    def run(self, job: BatchJob) -> BatchSummary:
        """Exactly one output row per input row, in input order; resumable; atomic output."""

    def featurize(self, path, columns: InputColumns) -> list:
        """(row, :class:`pipeline.dedup.ComplaintFeatures`) of every usable row, in input order."""

    def close(self) -> None:
        """Release what the engine holds (a cluster connection)."""


@dataclass
class LocalEngine:
    """This machine: streamed chunks, ``workers`` forked processes (:func:`pipeline.batch.run_batch`)."""

    workers: int = 1

    def run(self, job: BatchJob) -> BatchSummary:
        return run_batch(job.in_path, job.out_path, job.columns, job.work.process(job.model_dir), job.spec,
                         chunk_size=job.chunk_size, resume=job.resume, options=job.options,
                         progress=job.progress, workers=self.workers, max_text_chars=job.max_text_chars,
                         restart=job.restart, keep=job.keep, excel=job.excel)

    def featurize(self, path, columns: InputColumns) -> list:
        from pipeline.dedup.runner import featurize_file

        return featurize_file(path, columns, jobs=self.workers)

    def close(self) -> None:
        pass
