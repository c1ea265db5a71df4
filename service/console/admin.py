"""``/kunci``: API keys (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.admin_models import ApiKey
from service.auth import ROLES, create_key, end_key_sessions, revoke_key
from service.models import valid_id
from service.console import data
from service.console.web import check_csrf, flash, need, page, read_form, redirect

router = APIRouter(include_in_schema=False)


def _keys_page(request: Request, new_key: dict | None = None, error: str | None = None, status: int = 200):
    return page(request, "kunci.html", {"title": "Kunci API", "active": "kunci",
                                        "keys": data.api_keys(request.app.state.db), "roles": ROLES,
                                        "new_key": new_key, "error": error}, status=status)


@router.get("/kunci", response_class=HTMLResponse)
def keys_page(request: Request):
    need(request, "admin")
    return _keys_page(request)


@router.post("/kunci", response_class=HTMLResponse)
async def keys_create(request: Request):
    sess = need(request, "admin")
    form = await read_form(request)
    check_csrf(request, form, sess)
    role, name = form.get("peran", ""), (form.get("nama") or "").strip()
    if role not in ROLES or not name or len(name) > 200:
        return _keys_page(request, error="Pilih peran dan isi nama pemakai kunci (paling banyak 200 karakter).",
                          status=422)
    db = request.app.state.db
    with db.session(write=True) as session, session.begin():
        row, plain = create_key(session, role, name)
        new_key = {"id": row.id, "name": row.name, "role": row.role, "key": plain}
    return _keys_page(request, new_key=new_key)  # shown once; the page is never cached (no-store)


@router.post("/kunci/{key_id}/cabut")
async def keys_revoke(request: Request, key_id: int):
    sess = need(request, "admin")
    form = await read_form(request)
    check_csrf(request, form, sess)
    db = request.app.state.db
    with db.session(write=True) as session, session.begin():
        row = revoke_key(session, key_id)
        name = row.name if row is not None else None
    request.app.state.keys.clear()  # the API's key cache: revocation applies at once
    if name is None:
        return flash(request, redirect("/kunci"), f"Kunci {key_id} tidak ditemukan.", "galat")
    return flash(request, redirect("/kunci"), f"Kunci {key_id} ({name}) telah dicabut.")


@router.post("/kunci/{key_id}/akhiri-sesi")
async def keys_end_sessions(request: Request, key_id: int):
    """Log a key out everywhere (every browser, every worker) without revoking it."""
    sess = need(request, "admin")
    form = await read_form(request)
    check_csrf(request, form, sess)
    db = request.app.state.db
    with db.session(write=True) as session, session.begin():
        row = session.get(ApiKey, key_id) if valid_id(key_id) else None
        name = row.name if row is not None else None
        ended = end_key_sessions(session, key_id, "ended_by_admin") if row is not None else 0
    if name is None:
        return flash(request, redirect("/kunci"), f"Kunci {key_id} tidak ditemukan.", "galat")
    return flash(request, redirect("/kunci"), f"{ended} sesi konsol kunci {key_id} ({name}) telah diakhiri.")
