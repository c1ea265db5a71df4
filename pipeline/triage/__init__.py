"""The triage core: one path from complaints to :class:`TriageResult` for the batch commands and the service.

- :mod:`~pipeline.triage.core` — :class:`Triage` (``run(items) -> list[TriageResult]``);
- :mod:`~pipeline.triage.index` — the :class:`DuplicateIndex` protocol the core searches;
- :mod:`~pipeline.triage.records` — the batch-row serialiser (the service maps results to its API schema).
"""

from pipeline.triage.core import Triage, TriageItem, TriageResult
from pipeline.triage.index import DuplicateIndex

__all__ = ["DuplicateIndex", "Triage", "TriageItem", "TriageResult"]
