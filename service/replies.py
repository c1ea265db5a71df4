"""Canned replies per status and category (tenant data ``replies.csv``) with placeholders filled in.

Placeholders: ``{nomor}`` (complaint number), ``{opd}`` (lead unit), ``{wilayah}`` (kelurahan, kecamatan),
``{tenggat}`` (the current deadline, a date in the tenant's zone), ``{tanggal}`` (submission date).
"""

from __future__ import annotations

import csv
import string
from pathlib import Path

from service.working_days import WorkingCalendar

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")


def load_replies(directory: Path) -> list[dict[str, str]]:
    path = Path(directory) / "replies.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f) if row.get("text")]


def _day(ts, calendar: WorkingCalendar) -> str:
    if ts is None:
        return "–"
    d = calendar.local_day(ts)
    return f"{d.day} {BULAN[d.month - 1]} {d.year}"


class _Blank(dict):
    def __missing__(self, key):  # an unknown placeholder stays visible for the operator to fill in
        return "{" + key + "}"


def replies_for(replies: list[dict[str, str]], complaint: dict, calendar: WorkingCalendar) -> list[dict[str, str]]:
    """The replies that fit the complaint's status (and category, when a reply names one), filled in."""
    status, category = complaint.get("status"), (complaint.get("category") or "").casefold()
    area = ", ".join(x for x in (complaint.get("kelurahan"), complaint.get("kecamatan")) if x) or "Anda"
    values = _Blank(nomor=f"#{complaint['id']}", opd=complaint.get("routed_opd") or complaint.get("suggested_opd")
                    or "OPD terkait", wilayah=area, tenggat=_day(complaint.get("due_at"), calendar),
                    tanggal=_day(complaint.get("reported_at") or complaint.get("received_at"), calendar))
    out = []
    for r in replies:
        if r.get("status") and r["status"] != status and not (status == "responded" and r["status"] == "routed"):
            continue
        if r.get("category") and r["category"].casefold() != category:
            continue
        out.append({"title": r.get("title") or "Balasan", "text": string.Formatter().vformat(r["text"], (), values)})
    return out
