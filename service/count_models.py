"""Tables of counts the service keeps up to date on every write, so statistics, the dashboard and the queue
read a few rows instead of the complaints table (issue 10); all can be rebuilt from the complaints
(``service.stats_daily``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.models import Base, UTCDateTime, utcnow


class StatsCount(Base):
    """Per period (``grain`` d/w/m: local day, week from Monday, month; of submission) and OPD: the counts
    behind ``/v1/stats`` (``service.stats_daily``); decisions count in the period they were made."""

    __tablename__ = "stats_counts"

    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    opd: Mapped[str] = mapped_column(String(300), primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0)
    routed: Mapped[int] = mapped_column(Integer, default=0)
    responded: Mapped[int] = mapped_column(Integer, default=0)
    auto_routed: Mapped[int] = mapped_column(Integer, default=0)
    in_review: Mapped[int] = mapped_column(Integer, default=0)
    disposed_within: Mapped[int] = mapped_column(Integer, default=0)
    disposed_judged: Mapped[int] = mapped_column(Integer, default=0)
    answered_within: Mapped[int] = mapped_column(Integer, default=0)
    answered_judged: Mapped[int] = mapped_column(Integer, default=0)
    operator_routed: Mapped[int] = mapped_column(Integer, default=0)  # decisions (route, forward) made then
    overridden: Mapped[int] = mapped_column(Integer, default=0)  # … naming another unit than the suggestion


class StatsDuration(Base):
    """Per period (``grain`` d/w/m/y: local day, week from Monday, month, year; by submission), measure
    (``route``, ``answer``) and OPD: a log-scale histogram of durations."""

    __tablename__ = "stats_durations"

    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    metric: Mapped[str] = mapped_column(String(10), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    opd: Mapped[str] = mapped_column(String(300), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    total_ms: Mapped[int] = mapped_column(BigInteger, default=0)  # sum of the durations in the bucket


class StatsState(Base):
    """When and for which time zone the statistics tables were built (rebuilt when the tenant's zone changes)."""

    __tablename__ = "stats_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time_zone: Mapped[str] = mapped_column(String(100))
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)  # nullable, as migration 0009 made it


class QueueCount(Base):
    """The review queue's size per suggested OPD and review reason (``""``: any), kept by every write."""

    __tablename__ = "queue_counts"

    opd: Mapped[str] = mapped_column(String(300), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
