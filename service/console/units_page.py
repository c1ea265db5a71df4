"""``/unit``: the tenant's unit table for admins — add a unit (with its tasks), rename or merge one.

The same service functions as ``/v1/units``; every change applies to decisions and suggestions at once.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service import units
from service.console.web import check_csrf, flash, need, page, read_form, redirect
from service.errors import DomainError
from service.model_switch import refresh_tenant

router = APIRouter(include_in_schema=False)


@router.get("/unit", response_class=HTMLResponse)
def units_page(request: Request):
    need(request, "admin")
    rows = [units.unit_out(u) for u in units.list_units(request.app.state.db, include_replaced=True)]
    return page(request, "unit.html", {"title": "Unit", "active": "unit", "units": rows,
                                       "active_units": [u["name"] for u in rows if u["status"] == units.ACTIVE]})


async def _change(request: Request, action) -> object:
    sess = need(request, "admin")
    form = await read_form(request)
    check_csrf(request, form, sess)
    try:
        message = action(request.app.state.db, form, f"admin:{sess.principal.name}")
    except DomainError as exc:
        return flash(request, redirect("/unit"), exc.detail, "galat")
    refresh_tenant(request.app)
    return flash(request, redirect("/unit"), message)


@router.post("/unit")
async def add(request: Request):
    def action(db, form, by):
        row = units.add_unit(db, form.get("nama", ""), form.get("uraian", ""),
                             (form.get("alias") or "").split("|"), form.get("jenis", ""), by)
        return f"Unit {row.name} ditambahkan; unit ini langsung dapat disarankan dari uraian tugasnya."
    return await _change(request, action)


@router.post("/unit/ganti-nama")
async def rename(request: Request):
    def action(db, form, by):
        row = units.rename_unit(db, form.get("unit", ""), form.get("nama_baru", ""), by)
        return f"Unit {form.get('unit')} kini bernama {row.name}; data latihnya ikut berpindah."
    return await _change(request, action)


@router.post("/unit/gabung")
async def merge(request: Request):
    def action(db, form, by):
        row = units.merge_unit(db, form.get("unit", ""), form.get("ke", ""), by)
        return f"Unit {form.get('unit')} digabung ke {row.name}."
    return await _change(request, action)
