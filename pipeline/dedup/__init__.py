"""Duplicate detection: find earlier complaints about the same issue (time- and area-aware).

- :class:`DuplicateFinder` — the incremental, persistent index and its query;
- :func:`featurize` / :class:`ComplaintFeatures` — what is kept of one complaint;
- :mod:`pipeline.dedup.runner` — the ``dedup`` batch command and ``predict --history``.

Method, calibration and measured numbers: ``models/cards/dedup.md``.
"""

from pipeline.dedup.features import ComplaintFeatures, parse_time
from pipeline.dedup.index import DuplicateFinder, Match

__all__ = ["ComplaintFeatures", "DuplicateFinder", "Match", "parse_time"]
