"""Indonesian formats for the console: numbers (``1.234,5``), shares, durations, dates in the tenant's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BULAN = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
BULAN_PANJANG = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                 "Oktober", "November", "Desember")


# -- formatting ----------------------------------------------------------------------------------
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT",
              "UTC": "UTC"}


@dataclass(frozen=True)
class DisplayZone:
    """The time zone operators read times in, and its everyday name (``WITA``)."""

    tz: tzinfo
    name: str

    @classmethod
    def named(cls, name: str | None) -> "DisplayZone":
        name = (name or "").strip() or "UTC"
        try:
            return cls(ZoneInfo(name), ZONE_NAMES.get(name, name))
        except (ZoneInfoNotFoundError, ValueError):
            return cls(timezone.utc, "UTC")


UTC_ZONE = DisplayZone(timezone.utc, "UTC")


def angka(value: float | int | None, digits: int = 0) -> str:
    """1234.5 → ``1.234,5`` (Indonesian separators); None → ``–``."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def persen(rate: float | None, digits: int = 1) -> str:
    return "–" if rate is None else f"{angka(rate * 100, digits)} %"


def poin(diff: float | None, digits: int = 1) -> str:
    """A signed difference of two shares in percentage points: -0.2 → ``−20,0 poin``, 0.031 → ``+3,1 poin``."""
    if diff is None:
        return "–"
    sign = "+" if diff > 0 else ("\u2212" if diff < 0 else "\u00b1")
    return f"{sign}{angka(abs(diff) * 100, digits)} poin"


def durasi(seconds: float | None) -> str:
    """A duration the way an operator says it: ``45 dtk``, ``12 mnt``, ``3,5 jam``, ``2,1 hari``."""
    if seconds is None:
        return "–"
    s = float(seconds)
    if s < 60:
        return f"{angka(s)} dtk"
    if s < 3600:
        return f"{angka(s / 60)} mnt"
    if s < 86400:
        return f"{angka(s / 3600, 1)} jam"
    return f"{angka(s / 86400, 1)} hari"


def tanggal(ts: datetime | str | None, with_time: bool = False, zone: DisplayZone = UTC_ZONE) -> str:
    """``7 Nov 2026`` or, with the time, ``7 Nov 2026 09:13 WITA`` (in ``zone``). ``ts`` may also be an ISO 8601
    string, as the API's records carry times (one that does not parse is shown as it is)."""
    if not ts:
        return "–"
    if isinstance(ts, str):
        try:
            ts = datetime.fromisoformat(ts)
        except ValueError:
            return ts
    if ts.tzinfo is not None:
        ts = ts.astimezone(zone.tz)
    text = f"{ts.day} {BULAN[ts.month - 1]} {ts.year}"
    return f"{text} {ts:%H:%M} {zone.name}" if with_time else text


def now_local(zone: DisplayZone) -> str:
    """Now in ``zone`` as a ``datetime-local`` input value (the latest an answer may be dated)."""
    return datetime.now(zone.tz).strftime("%Y-%m-%dT%H:%M")


def day_start(value: str | None, zone: DisplayZone, next_day: bool = False) -> datetime | None:
    """The start of a typed day (``YYYY-MM-DD``) in ``zone`` (or of the day after): a date filter's bound.
    None when empty, unreadable or so far out (year 1, 9999) that it has no UTC time: the filter is ignored."""
    try:
        d = date.fromisoformat(value) if value else None
        if d is None:
            return None
        start = datetime.combine(d + timedelta(days=1) if next_day else d, time(0), zone.tz)
        start.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None
    return start
