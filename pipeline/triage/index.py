"""What the triage core needs of a duplicate index — met by the in-memory :class:`DuplicateFinder`
(batch ``dedup``/``predict --history``) and by the service's database-backed index alike."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pipeline.dedup.features import ComplaintFeatures
from pipeline.dedup.index import Match


@runtime_checkable
class DuplicateIndex(Protocol):
    """Earlier complaints, searchable; grows one complaint at a time."""

    threshold: float

    def query(self, features: ComplaintFeatures) -> list[Match]:
        """Earlier complaints like this one, best first (never the complaint itself)."""
        ...

    def add(self, features: ComplaintFeatures) -> None:
        """Index a complaint (after it is stored, in the service)."""
        ...

    def is_duplicate(self, matches: list[Match]) -> bool:
        ...

    def compare(self, q: ComplaintFeatures, other: ComplaintFeatures, _cache: dict | None = None) -> float:
        """Pair score of two complaints that need not be indexed (items of one batch), with the index's weights."""
        ...
