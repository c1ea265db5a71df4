"""The served tenant's rules, read from its data directory: time zone, holidays, deadlines, units.

Everything that changes with a region or a regulation is data here, never a constant in code:

- ``tenant.json`` — ``name``, ``time_zone`` (e.g. ``Asia/Makassar``), ``weekend`` day names, optional
  ``supervising_unit`` (who handles complaints against a unit; default: the unit named "Inspektorat…");
- ``holidays.csv`` — ``date,name,kind,status``: national holidays and *cuti bersama* (SKB 3 Menteri);
- ``deadlines.csv`` — ``stage,unit,category,working_days``: working days per stage (``verification``,
  ``follow_up``), optionally per unit and/or category; the most specific row wins;
- ``units.csv`` (the router's units), ``areas.csv`` (Kecamatan/Kelurahan offices) and ``forward_units.csv``
  (other bodies a complaint can be forwarded to: the province, PLN, a ministry office) — every unit a
  decision may name.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from service.errors import Invalid
from service.working_days import WEEKDAYS, WorkingCalendar

VERIFICATION = "verification"
FOLLOW_UP = "follow_up"
STAGES = (VERIFICATION, FOLLOW_UP)
DEFAULT_DAYS = {VERIFICATION: 3, FOLLOW_UP: 5}  # used only when a tenant's deadlines.csv has no row for a stage


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


@dataclass(frozen=True)
class DeadlineRule:
    stage: str
    unit: str | None
    category: str | None
    working_days: int

    def matches(self, stage: str, unit: str | None, category: str | None) -> bool:
        return (self.stage == stage and (self.unit is None or self.unit == unit)
                and (self.category is None or self.category == (category or "").casefold()))

    @property
    def specificity(self) -> int:
        return (self.unit is not None) * 2 + (self.category is not None)


@dataclass(frozen=True)
class Tenant:
    name: str
    time_zone: str
    calendar: WorkingCalendar
    rules: tuple[DeadlineRule, ...] = ()
    units: frozenset[str] = field(default_factory=frozenset)
    # handles complaints against a unit itself (tenant.json ``supervising_unit``; default: its Inspektorat)
    supervising_unit: str | None = None

    @classmethod
    def load(cls, directory: Path, extra_units: list[str] | tuple[str, ...] = ()) -> "Tenant":
        directory = Path(directory)
        meta_path = directory / "tenant.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        zone_name = meta.get("time_zone") or "UTC"
        weekend = frozenset(WEEKDAYS.index(d.lower()) for d in meta.get("weekend", ["saturday", "sunday"]))
        holidays = set()
        for i, row in enumerate(_rows(directory / "holidays.csv"), start=2):
            try:
                holidays.add(date.fromisoformat(row["date"]))
            except (KeyError, ValueError):
                raise ValueError(f"{directory / 'holidays.csv'}: row {i}, column 'date': "
                                 f"{row.get('date')!r} is not a YYYY-MM-DD date") from None
        rules = []
        for i, row in enumerate(_rows(directory / "deadlines.csv"), start=2):
            if row.get("stage") not in STAGES or not row.get("working_days", "").isdigit():
                raise ValueError(f"{directory / 'deadlines.csv'}: row {i}: stage must be one of {', '.join(STAGES)} "
                                 "and working_days a whole number")
            rules.append(DeadlineRule(row["stage"], row.get("unit") or None,
                                      (row.get("category") or "").casefold() or None, int(row["working_days"])))
        units = {r["name"] for r in _rows(directory / "units.csv") if r.get("name")}
        units |= {r["name"] for r in _rows(directory / "forward_units.csv") if r.get("name")}
        for r in _rows(directory / "areas.csv"):
            if r.get("kecamatan"):
                units.add(f"Kecamatan {r['kecamatan']}")
            if r.get("kelurahan"):
                units.add(f"Kelurahan {r['kelurahan']}")
        units |= {u for u in extra_units if u}
        return cls(name=meta.get("name") or directory.name, time_zone=zone_name,
                   calendar=WorkingCalendar(ZoneInfo(zone_name), frozenset(holidays), weekend),
                   rules=tuple(rules), units=frozenset(units), supervising_unit=meta.get("supervising_unit") or None)

    def working_days(self, stage: str, unit: str | None = None, category: str | None = None) -> int:
        found = [r for r in self.rules if r.matches(stage, unit, category)]
        if not found:
            return DEFAULT_DAYS[stage]
        return max(found, key=lambda r: r.specificity).working_days

    def due(self, stage: str, started: datetime, unit: str | None = None, category: str | None = None,
            times: int = 1) -> datetime:
        """The deadline of ``stage`` started at ``started`` (``times=3``: when it is three times overdue)."""
        return self.calendar.deadline(started, self.working_days(stage, unit, category) * times)

    def check_unit(self, name: str | None, field_name: str = "opd") -> str | None:
        """The unit as named, or :class:`Invalid` when the tenant has no such unit."""
        if name is None:
            return None
        name = name.strip()
        if name not in self.units:
            raise Invalid("unknown_unit", f"{field_name}: unit '{name}' tidak dikenal di {self.name}; pilih dari "
                                          "daftar unit tenant.", ["body", field_name])
        return name
