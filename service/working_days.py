"""Working days and deadlines in the tenant's time zone, from the tenant's holiday calendar (pure).

A stage of ``n`` working days that starts at some moment ends at the close (23:59:59 local time) of the
``n``-th working day after the day it started: a complaint submitted on Friday 27 Nov 2026 10:00 WITA with
3 working days for verification is due on Wednesday 2 Dec 2026 (Mon 30 Nov, Tue 1 Dec, Wed 2 Dec).
Weekends, national holidays and *cuti bersama* are not working days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class WorkingCalendar:
    tz: tzinfo
    holidays: frozenset[date] = field(default_factory=frozenset)
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself when ``n`` is 0)."""
        day, left = start, n
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def deadline(self, started: datetime, working_days: int) -> datetime:
        """The close of the ``working_days``-th working day after ``started`` (UTC)."""
        day = self.add_working_days(self.local_day(started), working_days)
        return datetime.combine(day, END_OF_DAY, self.tz).astimezone(timezone.utc)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
        n, day = 0, start
        while day < end:
            day += timedelta(days=1)
            n += self.is_working_day(day)
        return n

    def end_of_day(self, day: date) -> datetime:
        return datetime.combine(day, END_OF_DAY, self.tz).astimezone(timezone.utc)
