"""``/dasbor``: the numbers of ``GET /v1/stats`` as tables and SVG charts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.console import charts
from service.console.formats import BULAN, day_start, durasi, tanggal
from service.console.web import ANY_ROLE, need, page
from service.stats import compute_stats

router = APIRouter(include_in_schema=False)

PERIODS = {"week": "per minggu", "month": "per bulan", "day": "per hari"}


def dashboard_context(stats: dict) -> dict:
    period = stats["period"]
    per_period: dict[datetime, int] = defaultdict(int)
    for p in stats["periods"]:
        per_period[p["period_start"]] += p["received"]
    week_rows = sorted(per_period.items())

    def period_label(ts: datetime) -> str:
        if period == "month":
            return f"{BULAN[ts.month - 1]} {ts.year}"
        return f"{ts.day} {BULAN[ts.month - 1]}"

    per_opd = sorted(stats["per_opd"], key=lambda r: (-r["received"], r["opd"]))
    route_rows = [r for r in per_opd if r["time_to_route_median_s"] is not None]
    resp_rows = [r for r in per_opd if r["time_to_response_median_s"] is not None]
    unit = {"week": "minggu", "month": "bulan", "day": "hari"}[period]
    return {
        "week_rows": [(ts, n, period_label(ts)) for ts, n in week_rows],
        "per_opd": per_opd, "route_rows": route_rows, "resp_rows": resp_rows,
        "chart_period": charts.column_chart(
            [(period_label(ts), n, f"{unit} mulai {tanggal(ts)}: {n} pengaduan") for ts, n in week_rows],
            f"Pengaduan diterima per {unit}", f"Jumlah pengaduan yang diterima per {unit}; angka ada di tabel.",
            chart_id="grafik-periode"),
        "chart_opd": charts.bar_chart(
            [(r["opd"], [r["received"]]) for r in per_opd], ["Diterima"], "Pengaduan per OPD",
            "Jumlah pengaduan per OPD (OPD utama disposisi, atau yang disarankan bila belum); angka ada di tabel.",
            chart_id="grafik-opd"),
        "chart_route": charts.bar_chart(
            [(r["opd"], [r["time_to_route_median_s"], r["time_to_route_p90_s"]]) for r in route_rows],
            ["Median", "P90"], "Waktu sampai didisposisikan per OPD",
            "Median dan persentil ke-90 waktu dari dilaporkan sampai didisposisikan; angka ada di tabel.",
            chart_id="grafik-rute", fmt=durasi),
        "chart_response": charts.bar_chart(
            [(r["opd"], [r["time_to_response_median_s"], r["time_to_response_p90_s"]]) for r in resp_rows],
            ["Median", "P90"], "Waktu sampai ditindaklanjuti per OPD",
            "Median dan persentil ke-90 waktu dari dilaporkan sampai OPD menindaklanjuti; angka ada di tabel.",
            chart_id="grafik-tanggapan", fmt=durasi),
        "unit": unit,
    }


def trend_context(stats: dict, period_label) -> dict:
    rows = [r for r in stats.get("trend", [])]
    answered = [r for r in rows if r["time_to_response_median_s"] is not None]
    return {
        "trend_rows": [(r, period_label(r["period_start"])) for r in rows],
        "chart_trend": charts.column_chart(
            [(period_label(r["period_start"]), r["time_to_response_median_s"],
              f"{period_label(r['period_start'])}: median {durasi(r['time_to_response_median_s'])}") for r in answered],
            "Median waktu sampai ditindaklanjuti per periode",
            "Median waktu dari pengaduan dilaporkan sampai OPD menindaklanjuti, per periode; angka ada di tabel.",
            chart_id="grafik-tren", fmt=durasi),
    }


@router.get("/dasbor", response_class=HTMLResponse)
def dashboard(request: Request, periode: str = "week", dari: str = "", sampai: str = ""):
    need(request, *ANY_ROLE)
    period = periode if periode in PERIODS else "week"
    zone = request.app.state.display_zone
    date_from, date_to = day_start(dari, zone), day_start(sampai, zone, next_day=True)
    # the numbers of GET /v1/stats?period=…&date_from=…&date_to=… (the same function), without the percentiles
    # per period and OPD: the page shows them per OPD and per period only
    stats = compute_stats(request.app.state.db, request.app.state.tenant, period, date_from, date_to,
                          period_percentiles=False)
    ctx = dashboard_context(stats)

    def period_label(ts: datetime) -> str:
        return f"{BULAN[ts.month - 1]} {ts.year}" if period == "month" else f"{ts.day} {BULAN[ts.month - 1]}"

    return page(request, "dasbor.html", {"title": "Dasbor", "active": "dasbor", "stats": stats,
                                         "totals": stats["totals"], "period": period, "periods": PERIODS,
                                         "dari": dari if date_from else "", "sampai": sampai if date_to else "",
                                         **ctx, **trend_context(stats, period_label)})
