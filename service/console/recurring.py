"""``/berulang``: "Masalah berulang" — recurring problems by unit, area and period, and the topics on the rise.

The same numbers as ``GET /v1/recurring`` and ``GET /v1/recurring/rising`` (the same service functions).
:func:`hint` is the one-line note on a complaint's detail page ("laporan ke-11 tentang masalah ini sejak
Agustus").
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.masking import masked_group, sees_original
from service.console.formats import BULAN_PANJANG, DisplayZone
from service.console.web import ANY_ROLE, display_zone, known_opds, need, page
from service.recurring_queries import DEFAULT_PERIOD_DAYS, group_of_complaint, list_groups, rising

router = APIRouter(include_in_schema=False)

TREND_LABEL = {"rising": "Naik", "steady": "Stabil", "falling": "Turun"}
TREND_HELP = {"rising": "lebih sering dalam 30 hari terakhir dibanding sebelumnya",
              "steady": "tidak berubah berarti", "falling": "lebih jarang dalam 30 hari terakhir"}


def _day(value: str | None, zone: DisplayZone) -> datetime | None:
    """A date from the filter form (``2024-08-31``), as the start of that day; None when empty or unusable."""
    try:
        day = datetime.strptime((value or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time(), zone.tz) if 1900 <= day.year <= 9000 else None


def bulan(ts: datetime, zone: DisplayZone, reference: datetime | None = None) -> str:
    """``Agustus`` — with the year when it is not the year of ``reference``."""
    local = ts.astimezone(zone.tz)
    name = BULAN_PANJANG[local.month - 1]
    if reference is not None and reference.astimezone(zone.tz).year == local.year:
        return name
    return f"{name} {local.year}"


def hint(group: dict | None, zone: DisplayZone, at: datetime) -> str | None:
    """The detail page's sentence for a complaint of ``group`` received at ``at``."""
    if not group or group["size"] < 2:
        return None
    k, n = group["ordinal"], group["size"]
    since = bulan(group["first_at"], zone, at)
    if k == 1:
        return f"Laporan pertama tentang masalah ini; sejak itu ada {n - 1} laporan lagi."
    text = f"Laporan ke-{k} tentang masalah ini sejak {since}."
    if n > k:
        text += f" Sesudahnya masih ada {n - k} laporan lagi."
    return text


def detail_context(request: Request, cid: int, received_at: datetime, role: str = "operator") -> dict:
    """What the detail page shows about the complaint's recurring problem (empty when it has none)."""
    group = group_of_complaint(request.app.state.db, cid)
    if group is not None and not sees_original(role):
        group = masked_group(group)
    text = hint(group, display_zone(request), received_at)
    return {"berulang": {"group": group, "text": text}} if text else {}


@router.get("/berulang", response_class=HTMLResponse)
def recurring_page(request: Request, opd: str | None = None, kecamatan: str | None = None,
                   dari: str | None = None, sampai: str | None = None):
    sess = need(request, *ANY_ROLE)
    zone = display_zone(request)
    db = request.app.state.db
    end_day = _day(sampai, zone)
    start = _day(dari, zone)
    end = end_day + timedelta(days=1) if end_day else None  # "sampai" includes that day
    problem = None
    if start and end and start >= end:
        problem, start, end = "Tanggal 'dari' harus sebelum tanggal 'sampai'.", None, None
    opd = (opd or "").strip() or None
    kecamatan = (kecamatan or "").strip() or None
    groups = list_groups(db, start, end, opd, kecamatan)
    shown_end = end or datetime.now(zone.tz)
    shown_start = start or shown_end - timedelta(days=DEFAULT_PERIOD_DAYS)
    topics = [t for t in rising(db, end, scope=None, limit=30)
              if (not opd or t["scope"] != "opd" or t["value"] == opd)
              and (not kecamatan or t["scope"] != "kecamatan" or t["value"].casefold() == kecamatan.casefold())]
    if not sees_original(sess.principal.role):  # analysts: labels and names as typed are masked too
        groups, topics = [masked_group(g) for g in groups], [masked_group(t) for t in topics]
    return page(request, "berulang.html", {
        "title": "Masalah berulang", "active": "berulang", "groups": groups, "topics": topics,
        "opd": opd or "", "kecamatan": kecamatan or "", "dari": shown_start.astimezone(zone.tz).date().isoformat(),
        "sampai": (shown_end - timedelta(seconds=1)).astimezone(zone.tz).date().isoformat(),
        "opds": known_opds(request), "problem": problem, "TREND_LABEL": TREND_LABEL, "TREND_HELP": TREND_HELP,
    })
