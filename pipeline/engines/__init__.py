"""Batch engines: ``local`` (this machine) and ``dask`` (a Dask cluster), behind :class:`Engine`."""

from __future__ import annotations

from pipeline.engines.jobs import BatchJob, Engine, LocalEngine
from pipeline.engines.work import Work

ENGINES = ("local", "dask")


def make_engine(name: str, *, workers: int = 1, scheduler: str | None = None, partition_rows: int | None = None,
                single_file: bool = False) -> Engine:
    if name == "local":
        return LocalEngine(workers=workers)
    if name == "dask":
        from pipeline.engines.dask_engine import DEFAULT_PARTITION_ROWS, DaskEngine, EngineError

        if not scheduler:
            raise EngineError("--engine dask needs --scheduler tcp://HOST:PORT (or LAPOR_DASK_SCHEDULER)")
        return DaskEngine(scheduler, partition_rows or DEFAULT_PARTITION_ROWS, single_file)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


__all__ = ["BatchJob", "ENGINES", "Engine", "LocalEngine", "Work", "make_engine"]
