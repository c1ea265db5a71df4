"""Console login with an API key (a server-side session; the http-only cookie holds its random token) and
logout (this session or all of the key's)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from service.auth import end_key_sessions
from service.console.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    create_session,
    end_session,
    find_key,
)
from service.console.web import (
    HOME,
    check_csrf,
    drop_cookie,
    page,
    read_form,
    redirect,
    safe_next,
    same_origin,
    session_of,
    set_cookie,
    tokens_equal,
)

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    sess = session_of(request)
    if sess is None:
        return redirect("/masuk")
    return redirect(HOME.get(sess.principal.role, "/dasbor"))


def _login_page(request: Request, error: str | None = None, status: int = 200, lanjut: str | None = None):
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    fresh = not token or len(token) > 64
    if fresh:
        token = secrets.token_urlsafe(24)
    response = page(request, "masuk.html", {"title": "Masuk", "login_csrf": token, "error": error,
                                             "lanjut": lanjut or "",
                                             "logged_out": request.query_params.get("keluar") == "1"},
                    status=status)
    if fresh:
        set_cookie(request, response, LOGIN_CSRF_COOKIE, token, 3600)
    return response


@router.get("/masuk", response_class=HTMLResponse)
def login_form(request: Request, lanjut: str | None = None):
    sess = session_of(request)
    if sess is not None:
        return redirect(safe_next(lanjut) or HOME.get(sess.principal.role, "/dasbor"))
    return _login_page(request, lanjut=safe_next(lanjut))


@router.post("/masuk", response_class=HTMLResponse)
async def login(request: Request):
    form = await read_form(request)
    lanjut = safe_next(form.get("lanjut"))
    if not same_origin(request) or not tokens_equal(form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(request, "Formulir masuk kedaluwarsa. Silakan coba lagi.", 403, lanjut)
    key = (form.get("kunci") or "").strip()
    if not key:
        return _login_page(request, "Isi kunci API Anda.", 422, lanjut)
    row = await run_in_threadpool(find_key, request.app.state.db, key)
    if row is None:
        return _login_page(request, "Kunci API tidak dikenal atau sudah dicabut.", 401, lanjut)
    cookie, _ = await run_in_threadpool(create_session, request.app.state.db, row)
    response = redirect(lanjut or HOME.get(row.role, "/dasbor"))
    set_cookie(request, response, SESSION_COOKIE, cookie, SESSION_SECONDS)
    drop_cookie(request, response, LOGIN_CSRF_COOKIE)
    return response


def _end(db, sid: str, key_id: int, everywhere: bool) -> None:
    if not everywhere:
        end_session(db, sid)
        return
    with db.session(write=True) as session, session.begin():
        end_key_sessions(session, key_id, "logout_all")


@router.post("/keluar")
async def logout(request: Request):
    """Log out: this session, or with ``semua=1`` every session of this key (other browsers, other devices)."""
    form = await read_form(request)
    sess = session_of(request)
    if sess is not None:
        check_csrf(request, form, sess)
        await run_in_threadpool(_end, request.app.state.db, sess.sid, sess.principal.key_id, form.get("semua") == "1")
    response = redirect("/masuk?keluar=1")
    drop_cookie(request, response, SESSION_COOKIE)
    return response
