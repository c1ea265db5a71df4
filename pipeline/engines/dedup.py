"""Duplicate search on any engine: features in parallel, the walk in time order, output in parallel.

Each row is compared with the rows *earlier in time* (and the history), and what it is compared with
depends on every earlier row: the candidates, and the IDF weights of the index as it was then. So
the walk (query, then add, in time order) stays one sequential pass on the client, exactly as in the
local engine; reading and featurising the partitions (most of the text work) and writing the output
run on the workers. Results therefore equal the local engine's row for row. (Cutting the walk into
time shards, each indexing the window before it, would parallelise the walk too, but its IDF would
see only the shard and the window, so scores would differ slightly from the local engine's.)
"""

from __future__ import annotations

from pathlib import Path

from pipeline.batch import BatchSummary, OutputSpec
from pipeline.dedup.index import DuplicateFinder
from pipeline.engines.jobs import BatchJob, Engine
from pipeline.engines.work import Work
from pipeline.io import columns_of
from pipeline.columns import InputColumns


NO_DUPLICATES = {"duplicate_of": "[]", "is_duplicate": False}  # rows without a readable time


def with_duplicate_columns(spec: OutputSpec) -> OutputSpec:
    """``spec`` followed by the ``duplicate_of`` / ``is_duplicate`` columns (``predict --history``)."""
    from pipeline.triage.records import DEDUP_OUTPUT

    return OutputSpec(columns={**spec.columns, **DEDUP_OUTPUT.columns}, empty={**spec.empty, **DEDUP_OUTPUT.empty})


def duplicate_rows(engine: Engine, in_path, columns: InputColumns, history, finder: DuplicateFinder,
                   jobs: int = 1) -> tuple[dict[int, dict], DuplicateFinder]:
    """Row number → ``duplicate_of`` / ``is_duplicate`` for every usable input row, and the filled index."""
    from pipeline.dedup.runner import load_history, walk

    finder = load_history(history, columns, finder, jobs=jobs)
    if not columns.time or columns.time not in columns_of(in_path):
        return {}, finder
    return walk(finder, engine.featurize(in_path, columns)), finder


def run_dedup(engine: Engine, in_path, out_path, columns: InputColumns, *, history=None, chunk_size: int = 2000,
              resume: bool = False, progress=None, jobs: int = 1, save_index=None,
              finder: DuplicateFinder) -> tuple[BatchSummary, DuplicateFinder]:
    """The ``dedup`` command on ``engine`` (the same rows as :func:`pipeline.dedup.runner.run_dedup`)."""
    from pipeline.dedup.runner import DedupColumns, _file_identity, require_time_column
    from pipeline.triage.records import DEDUP_OUTPUT

    require_time_column(in_path, columns)
    results, finder = duplicate_rows(engine, in_path, columns, history, finder, jobs=jobs)
    options = {"command": "dedup", "window_days": finder.window_days, "columns": vars(columns),
               "history": _file_identity(history), "params": finder.get_params()}
    summary = engine.run(BatchJob(Path(in_path), Path(out_path), DedupColumns(**vars(columns)),
                                  Work("rows", rows=results), DEDUP_OUTPUT, chunk_size=chunk_size, resume=resume,
                                  options=options, progress=progress, keep=()))
    if save_index:
        finder.save(save_index)
    return summary, finder
