"""``/kebijakan``: the handling-policy rules for admins — add a rule, edit it, disable or enable it, and the history.

The same service functions as ``/v1/policy-rules``; a change applies to the next suggestion at once (every other
server process within seconds) and is named in its explanation ("kebijakan penanganan: … (aturan #3)").
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service import policy_rules
from service.console.web import check_csrf, flash, need, page, read_form, redirect
from service.errors import DomainError
from service.model_switch import refresh_rules

router = APIRouter(include_in_schema=False)

FORM = {"kata_kunci": "keywords", "unit": "unit", "kecamatan": "kecamatan", "kelurahan": "kelurahan",
        "tujuan": "route_to", "alasan": "reason"}
ACTION_LABEL = {"created": "dibuat", "updated": "diubah", "disabled": "dinonaktifkan", "enabled": "diaktifkan"}


@router.get("/kebijakan", response_class=HTMLResponse)
def policy_page(request: Request):
    need(request, "admin")
    db = request.app.state.db
    rules = [policy_rules.rule_out(r) for r in policy_rules.list_rules(db)]
    return page(request, "kebijakan.html", {
        "title": "Kebijakan penanganan", "active": "kebijakan", "rules": rules, "history": policy_rules.history(db, limit=50),
        "ACTION_LABEL": ACTION_LABEL, "units": sorted(request.app.state.tenant.units)})


async def _change(request: Request, action) -> object:
    sess = need(request, "admin")
    form = await read_form(request)
    check_csrf(request, form, sess)
    fields = {FORM[k]: form.get(k, "") for k in FORM if k in form}
    try:
        message = action(request.app.state.db, form, fields, f"admin:{sess.principal.name}")
    except DomainError as exc:
        return flash(request, redirect("/kebijakan"), exc.detail, "galat")
    refresh_rules(request.app)
    return flash(request, redirect("/kebijakan"), message)


def _rule_id(form) -> int:
    try:
        return int(form.get("aturan", ""))
    except ValueError:
        return 0


@router.post("/kebijakan")
async def add(request: Request):
    def action(db, form, fields, by):
        rule = policy_rules.add_rule(db, fields, by)
        return f"Aturan #{rule.id} ditambahkan dan langsung berlaku untuk pengaduan berikutnya."
    return await _change(request, action)


@router.post("/kebijakan/ubah")
async def edit(request: Request):
    def action(db, form, fields, by):
        rule = policy_rules.change_rule(db, _rule_id(form), by, fields)
        return f"Aturan #{rule.id} diubah; perubahan langsung berlaku."
    return await _change(request, action)


@router.post("/kebijakan/status")
async def toggle(request: Request):
    def action(db, form, fields, by):
        on = form.get("aktif") == "1"
        rule = policy_rules.change_rule(db, _rule_id(form), by, enabled=on)
        return f"Aturan #{rule.id} {'diaktifkan' if on else 'dinonaktifkan'}."
    return await _change(request, action)
