"""``/daftar``: every complaint beside the review queue — full-text search, filters, deadline queues, and bulk
disposition. Reads through ``service.queries.list_complaints`` (the function behind ``GET /v1/complaints``)
and decides through ``service.decisions.decide`` one complaint at a time (each with its own version check).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from service.console.formats import day_start
from service.console.web import OPERATE, check_csrf, display_zone, flash, known_opds, need, page, qs, read_form, \
    read_form_pairs, redirect
from service.decision_schemas import DecisionIn
from service.decisions import decide
from service.errors import DomainError
from service.models import utcnow
from service.queries import ListFilters, list_complaints
from service.workflow import STATUSES

router = APIRouter(include_in_schema=False)

DEADLINE_TABS = (("", "Semua"), ("due_today", "Jatuh tempo hari ini"), ("overdue", "Terlambat"),
                 ("overdue_3x", "Terlambat 3×"))
PAGE = 50


@router.get("/daftar", response_class=HTMLResponse)
def complaint_list(request: Request, q: str = "", status: str = "", opd: str = "", wilayah: str = "",
                   dari: str = "", sampai: str = "", ditandai: str = "", tenggat: str = "", lanjut: str = ""):
    sess = need(request, *OPERATE)
    zone = display_zone(request)
    tenant = request.app.state.tenant
    now = utcnow()
    filters = ListFilters(
        q=q.strip()[:300] or None, status=status if status in STATUSES else None, opd=opd.strip() or None,
        area=wilayah.strip() or None, reported_from=day_start(dari, zone), reported_to=day_start(sampai, zone, next_day=True),
        flagged=True if ditandai == "1" else None,
        deadline=tenggat if tenggat in dict(DEADLINE_TABS) and tenggat else None, now=now,
        today_end=tenant.calendar.end_of_day(tenant.calendar.local_day(now)))
    try:
        result = list_complaints(request.app.state.db, filters, PAGE, lanjut or None, sess.principal.role)
    except DomainError:
        result = {"items": [], "next_cursor": None}
    params = {"q": q, "status": status, "opd": opd, "wilayah": wilayah, "dari": dari, "sampai": sampai,
              "ditandai": ditandai}
    return page(request, "daftar.html", {
        "title": "Daftar pengaduan", "active": "daftar", "items": result["items"], "params": params,
        "tenggat": tenggat, "tabs": [(k, v, qs(**params, tenggat=k)) for k, v in DEADLINE_TABS],
        "next_qs": qs(**params, tenggat=tenggat, lanjut=result["next_cursor"]) if result["next_cursor"] else None,
        "statuses": STATUSES, "opds": known_opds(request), "back": str(request.url.path) + (
            f"?{request.url.query}" if request.url.query else ""),
    })


@router.post("/daftar/disposisi")
async def bulk_disposition(request: Request):
    """Dispose every ticked complaint to one OPD; each keeps its own version check (409s are reported)."""
    sess = need(request, *OPERATE)
    form = await read_form(request)
    pairs = await read_form_pairs(request)
    check_csrf(request, form, sess)
    back = form.get("kembali") if (form.get("kembali") or "").startswith("/daftar") else "/daftar"
    ids = [int(v) for k, v in pairs if k == "pilih" and v.isdigit()]
    unit = (form.get("opd") or "").strip()
    if not ids or not unit:
        return flash(request, redirect(back), "Centang pengaduan dan pilih OPD tujuan disposisi.", "galat")
    if unit not in known_opds(request):
        return flash(request, redirect(back), f"OPD '{unit}' tidak ada dalam daftar; pilih dari daftar OPD.", "galat")
    done, refused = [], []
    for cid in ids:
        try:
            version = int(form.get(f"versi_{cid}", ""))
            body = DecisionIn(action="route", opd=unit, expected_version=version)
            await run_in_threadpool(decide, request.app.state.db, request.app.state.tenant, cid, body,
                                    sess.principal.name, sess.principal.key_id,
                                    getattr(request.app.state.triage, "learn", None))
            done.append(cid)
        except (ValueError, DomainError) as exc:
            refused.append(f"#{cid} ({getattr(exc, 'detail', 'versi tidak terbaca')})")
    message = f"{len(done)} pengaduan didisposisikan ke {unit}."
    if refused:
        message += " Tidak diproses: " + "; ".join(refused)
    return flash(request, redirect(back), message, "galat" if refused and not done else "ok")
