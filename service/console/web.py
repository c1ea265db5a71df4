"""What every console page shares: templates, the session and roles, CSRF, flash messages, security headers."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from service.auth import ROLES
from service.console import charts, data, formats
from service.console.formats import DisplayZone
from service.console.highlight import category_label
from service.console.paths import TEMPLATES_DIR
from service.console.session import (
    FLASH_COOKIE,
    SESSION_COOKIE,
    ConsoleSession,
    console_secret,
    load_session,
    secure_cookies,
    sign,
    tokens_equal,
    unsign,
)
from service.queries import queue_size

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals.update(angka=formats.angka, persen=formats.persen, poin=formats.poin, durasi=formats.durasi,
                             REASON_LABEL=data.REASON_LABEL,
                             REASON_HELP=data.REASON_HELP, STATUS_LABEL=data.STATUS_LABEL,
                             ACTION_LABEL=data.ACTION_LABEL, ROLE_LABEL=data.ROLE_LABEL,
                             category_label=category_label, confidence_bar=charts.confidence_bar)

OPERATE = ("operator", "admin")
ANY_ROLE = ROLES
HOME = {"operator": "/antrian", "admin": "/antrian", "analyst": "/dasbor"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class ConsoleExit(Exception):
    """Stop handling a console request and answer with ``response`` (redirect to login, 403 page, …)."""

    def __init__(self, response: Response):
        self.response = response


def finish(response: Response) -> Response:
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    return response


def secret_of(request: Request) -> bytes:
    return console_secret(request.app.state.settings)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=secure_cookies(request))


def drop_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=secure_cookies(request))


def redirect(url: str) -> RedirectResponse:
    return finish(RedirectResponse(url, status_code=303))  # type: ignore[return-value]


def flash(request: Request, response: Response, message: str, kind: str = "ok") -> Response:
    token = sign(secret_of(request), "pesan", {"m": message[:600], "k": kind, "exp": int(time.time()) + 120})
    set_cookie(request, response, FLASH_COOKIE, token, 120)
    return response


def safe_next(value: str | None) -> str | None:
    """Only same-site paths: ``/antrian?…``, never ``//host`` or ``https://…``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else None


def session_of(request: Request) -> ConsoleSession | None:
    cached = getattr(request.state, "console_session", False)
    if cached is not False:
        return cached
    sess = load_session(request.app.state.db, request.cookies.get(SESSION_COOKIE))
    request.state.console_session = sess
    return sess


def need(request: Request, *roles: str) -> ConsoleSession:
    """The logged-in session with one of ``roles``; else redirect to /masuk or show a 403 page."""
    sess = session_of(request)
    if sess is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise ConsoleExit(redirect("/masuk?" + urlencode({"lanjut": target})))
    if sess.principal.role not in roles:
        raise ConsoleExit(page(request, "galat.html", {
            "title": "Akses ditolak", "heading": "Akses ditolak",
            "message": f"Peran {data.ROLE_LABEL.get(sess.principal.role, sess.principal.role)} tidak dapat membuka "
                       f"halaman ini. Halaman ini untuk: "
                       f"{', '.join(data.ROLE_LABEL[r] for r in roles if r in data.ROLE_LABEL)}."},
            status=403))
    return sess


async def read_form(request: Request) -> dict[str, str]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise ConsoleExit(finish(HTMLResponse("Formulir tidak dikenal.", status_code=415)))
    form: dict[str, str] = {}
    for k, v in await read_form_pairs(request):
        form.setdefault(k, v)
    return form


async def read_form_pairs(request: Request) -> list[tuple[str, str]]:
    """Every (name, value) of a urlencoded form; more than :data:`MAX_FORM_FIELDS` fields is a 413, before any
    session or CSRF check (the body size is bounded by LAPOR_MAX_BODY_BYTES)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        return parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise ConsoleExit(finish(HTMLResponse("Formulir terlalu besar.", status_code=413))) from None


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    return urlsplit(origin).netloc == request.headers.get("host", "")


def check_csrf(request: Request, form: dict[str, str], sess: ConsoleSession) -> None:
    if not same_origin(request) or not tokens_equal(form.get("csrf"), sess.csrf):
        raise ConsoleExit(page(request, "galat.html", {
            "title": "Permintaan ditolak", "heading": "Permintaan ditolak",
            "message": "Formulir ini kedaluwarsa atau tidak berasal dari konsol ini. Muat ulang halaman lalu coba "
                       "lagi."}, status=403))


def nav_items(role: str, queue_size: int | None) -> list[dict]:
    items = []
    if role in OPERATE:
        items.append({"href": "/antrian", "label": "Antrian", "count": queue_size, "key": "antrian"})
        items.append({"href": "/daftar", "label": "Daftar", "key": "daftar"})
        items.append({"href": "/lapor", "label": "Lapor", "key": "lapor"})
    items.append({"href": "/dasbor", "label": "Dasbor", "key": "dasbor"})
    items.append({"href": "/berulang", "label": "Masalah berulang", "key": "berulang"})
    items.append({"href": "/model", "label": "Model", "key": "model"})
    if role == "admin":
        items.append({"href": "/unit", "label": "Unit", "key": "unit"})
        items.append({"href": "/kebijakan", "label": "Kebijakan", "key": "kebijakan"})
        items.append({"href": "/kunci", "label": "Kunci API", "key": "kunci"})
    return items


def page(request: Request, template: str, context: dict, status: int = 200) -> Response:
    sess = session_of(request)
    zone = display_zone(request)
    ctx = {"request": request, "sess": sess, "flash": None, "active": "", "body_data": {},
           "tanggal": lambda ts, with_time=False: formats.tanggal(ts, with_time, zone), "zone": zone}
    if sess is not None:
        ctx["role"] = sess.principal.role
        ctx["csrf"] = sess.csrf
        qsize = None
        if sess.principal.role in OPERATE:
            qsize = context.get("queue_total")
            if qsize is None:
                qsize = queue_size(request.app.state.db)
        ctx["nav"] = nav_items(sess.principal.role, qsize)
    raw_flash = request.cookies.get(FLASH_COOKIE)
    if raw_flash:
        msg = unsign(secret_of(request), "pesan", raw_flash)
        if msg:
            ctx["flash"] = {"message": msg.get("m", ""), "kind": msg.get("k", "ok")}
    ctx.update(context)
    response = templates.TemplateResponse(request, template, ctx, status_code=status)
    if raw_flash:
        drop_cookie(request, response, FLASH_COOKIE)
    return finish(response)


def known_opds(request: Request) -> list[str]:
    """Every unit a decision may name: the tenant's units (incl. area offices and forward destinations)."""
    return sorted(request.app.state.tenant.units)


def display_zone(request: Request) -> DisplayZone:
    return request.app.state.display_zone


def filter_args(alasan: str | None, opd: str | None) -> tuple[str | None, str | None]:
    return (alasan if alasan in data.REASON_LABEL else None), (opd or None)


def qs(**params) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return ("?" + urlencode(clean)) if clean else ""


PAGE_SIZE = 50
MAX_FORM_FIELDS = 400  # the largest console form (bulk disposition of a page) has about 2 * PAGE_SIZE + 5


