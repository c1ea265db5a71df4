"""The records of recurring-problem grouping: a complaint as the grouper reads it, a link between two
complaints, where a complaint was filed, a group and its summary (plain data, no behaviour beyond a size)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class RecurringComplaint:
    id: str
    time: float  # seconds since the epoch (pipeline.dedup.parse_time)
    text: str
    kelurahan: str = ""
    kecamatan: str = ""
    address: str = ""
    unit: str = ""  # the unit it was routed (or suggested) to
    answered: bool = False


@dataclass(frozen=True)
class Link:
    id: str
    score: float  # the duplicate model's score of the pair
    text: float  # word cosine of the pair


@dataclass
class Assignment:
    group: str | None  # None: the complaint stands alone (so far)
    links: list[Link] = field(default_factory=list)
    absorbed: list[str] = field(default_factory=list)  # groups merged into ``group``
    joined: list[str] = field(default_factory=list)  # complaints newly in ``group`` (incl. this one)


@dataclass
class Group:
    id: str
    docs: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    units: Counter = field(default_factory=Counter)
    areas: Counter = field(default_factory=Counter)  # (kelurahan, kecamatan) names
    terms: Counter = field(default_factory=Counter)  # stem id → members containing it
    answered: int = 0

    @property
    def size(self) -> int:
        return len(self.docs)


@dataclass
class GroupSummary:
    id: str
    size: int
    complaint_ids: list[str]
    first_at: float
    last_at: float
    trend: str
    trend_test: dict | None
    label: str
    units: dict[str, int]
    answered: int
    kelurahan: str
    kecamatan: str
