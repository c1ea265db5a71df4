"""The operator console (Bahasa Indonesia): server-rendered pages on the same app as the API.

Pages: ``/masuk`` (login with an API key), ``/keluar``, ``/antrian`` (review queue), ``/pengaduan/{id}``
(detail and decisions), ``/dasbor`` (dashboard), ``/lapor`` (walk-in/phone intake), ``/model``, ``/kunci``
(API keys, admin). Data comes from the service's own functions: decisions go through the very function
behind ``POST /v1/complaints/{id}/decision``, intake through the same ingestor as ``POST /v1/complaints``,
the dashboard from the same ``compute_stats`` as ``GET /v1/stats``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from service.auth import ROLES, create_key, revoke_key
from service.console import charts, data
from service.console.highlight import category_label, highlight, screening
from service.console.session import (
    FLASH_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    ENDED,
    ConsoleSession,
    console_secret,
    find_key,
    load_session,
    new_session_token,
    secure_cookies,
    sign,
    tokens_equal,
    unsign,
)
from service.errors import ApiError
from service.models import utcnow
from service.routers.complaints import make_decision
from service.schemas import ComplaintIn, DecisionIn
from service.stats import compute_stats
from service.store import get_complaint

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(angka=charts.angka, persen=charts.persen, durasi=charts.durasi,
                             tanggal=charts.tanggal, REASON_LABEL=data.REASON_LABEL,
                             REASON_HELP=data.REASON_HELP, STATUS_LABEL=data.STATUS_LABEL,
                             ACTION_LABEL=data.ACTION_LABEL, ROLE_LABEL=data.ROLE_LABEL,
                             category_label=category_label, confidence_bar=charts.confidence_bar)

router = APIRouter(include_in_schema=False)

OPERATE = ("operator", "admin")
ANY_ROLE = ROLES
HOME = {"operator": "/antrian", "admin": "/antrian", "analyst": "/dasbor"}
CHANNELS = (("loket", "Datang langsung (loket)"), ("telepon", "Telepon"), ("surat", "Surat"),
            ("lainnya", "Lainnya"))
PERIODS = {"week": "per minggu", "month": "per bulan", "day": "per hari"}
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


def _secret(request: Request) -> bytes:
    return console_secret(request.app.state.settings)


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=secure_cookies(request))


def _drop_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=secure_cookies(request))


def redirect(url: str) -> RedirectResponse:
    return finish(RedirectResponse(url, status_code=303))  # type: ignore[return-value]


def flash(request: Request, response: Response, message: str, kind: str = "ok") -> Response:
    token = sign(_secret(request), "pesan", {"m": message[:600], "k": kind, "exp": int(time.time()) + 120})
    _set_cookie(request, response, FLASH_COOKIE, token, 120)
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
    sess = load_session(request.app.state.db, _secret(request), request.cookies.get(SESSION_COOKIE))
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
    body = (await request.body()).decode("utf-8", errors="replace")
    form: dict[str, str] = {}
    for k, v in parse_qsl(body, keep_blank_values=True, max_num_fields=50):
        form.setdefault(k, v)
    return form


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    return urlsplit(origin).netloc == request.headers.get("host", "")


def check_csrf(request: Request, form: dict[str, str], sess: ConsoleSession) -> None:
    if not _same_origin(request) or not tokens_equal(form.get("csrf"), sess.csrf):
        raise ConsoleExit(page(request, "galat.html", {
            "title": "Permintaan ditolak", "heading": "Permintaan ditolak",
            "message": "Formulir ini kedaluwarsa atau tidak berasal dari konsol ini. Muat ulang halaman lalu coba "
                       "lagi."}, status=403))


def nav_items(role: str, queue_size: int | None) -> list[dict]:
    items = []
    if role in OPERATE:
        items.append({"href": "/antrian", "label": "Antrian", "count": queue_size, "key": "antrian"})
        items.append({"href": "/lapor", "label": "Lapor", "key": "lapor"})
    items.append({"href": "/dasbor", "label": "Dasbor", "key": "dasbor"})
    items.append({"href": "/model", "label": "Model", "key": "model"})
    if role == "admin":
        items.append({"href": "/kunci", "label": "Kunci API", "key": "kunci"})
    return items


def page(request: Request, template: str, context: dict, status: int = 200) -> Response:
    sess = session_of(request)
    ctx = {"request": request, "sess": sess, "flash": None, "active": "", "body_data": {}}
    if sess is not None:
        ctx["role"] = sess.principal.role
        ctx["csrf"] = sess.csrf
        qsize = None
        if sess.principal.role in OPERATE:
            qsize = context.get("queue_total")
            if qsize is None:
                from service.store import queue_size

                qsize = queue_size(request.app.state.db)
        ctx["nav"] = nav_items(sess.principal.role, qsize)
    raw_flash = request.cookies.get(FLASH_COOKIE)
    if raw_flash:
        msg = unsign(_secret(request), "pesan", raw_flash)
        if msg:
            ctx["flash"] = {"message": msg.get("m", ""), "kind": msg.get("k", "ok")}
    ctx.update(context)
    response = templates.TemplateResponse(request, template, ctx, status_code=status)
    if raw_flash:
        _drop_cookie(request, response, FLASH_COOKIE)
    return finish(response)


def known_opds(request: Request) -> list[str]:
    manifest = getattr(request.app.state.triage.model, "manifest", {}) or {}
    return sorted({str(x) for x in manifest.get("labels") or [] if x})


# -- login / logout --------------------------------------------------------------------------------
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
        import secrets

        token = secrets.token_urlsafe(24)
    response = page(request, "masuk.html", {"title": "Masuk", "login_csrf": token, "error": error,
                                             "lanjut": lanjut or "",
                                             "logged_out": request.query_params.get("keluar") == "1"},
                    status=status)
    if fresh:
        _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, 3600)
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
    if not _same_origin(request) or not tokens_equal(form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(request, "Formulir masuk kedaluwarsa. Silakan coba lagi.", 403, lanjut)
    key = (form.get("kunci") or "").strip()
    if not key:
        return _login_page(request, "Isi kunci API Anda.", 422, lanjut)
    row = await run_in_threadpool(find_key, request.app.state.db, key)
    if row is None:
        return _login_page(request, "Kunci API tidak dikenal atau sudah dicabut.", 401, lanjut)
    cookie, _ = new_session_token(_secret(request), row)
    response = redirect(lanjut or HOME.get(row.role, "/dasbor"))
    _set_cookie(request, response, SESSION_COOKIE, cookie, SESSION_SECONDS)
    _drop_cookie(request, response, LOGIN_CSRF_COOKIE)
    return response


@router.post("/keluar")
async def logout(request: Request):
    form = await read_form(request)
    sess = session_of(request)
    if sess is not None:
        check_csrf(request, form, sess)
        ENDED.end(sess.sid, sess.expires)
    response = redirect("/masuk?keluar=1")
    _drop_cookie(request, response, SESSION_COOKIE)
    return response


# -- queue -------------------------------------------------------------------------------------------
def _filter_args(alasan: str | None, opd: str | None) -> tuple[str | None, str | None]:
    return (alasan if alasan in data.REASON_LABEL else None), (opd or None)


def _qs(**params) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return ("?" + urlencode(clean)) if clean else ""


PAGE_SIZE = 50


@router.get("/antrian", response_class=HTMLResponse)
def queue_page(request: Request, alasan: str | None = None, opd: str | None = None, hal: int = 1):
    sess = need(request, *OPERATE)
    reason, opd = _filter_args(alasan, opd)
    db = request.app.state.db
    entries = data.queue_index(db)
    chosen = data.filter_queue(entries, reason, opd)
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    hal = min(max(1, hal), pages)
    shown = chosen[(hal - 1) * PAGE_SIZE: hal * PAGE_SIZE]
    rows = data.complaints_by_id(db, [e.id for e in shown], sess.principal.role)
    now = utcnow()
    items = [{"entry": e, "c": rows[e.id], "waiting": max(0.0, (now - e.received_at).total_seconds())}
             for e in shown if e.id in rows]
    rc = data.reason_counts(entries, opd)
    oc = data.opd_counts(entries, reason)
    return page(request, "antrian.html", {
        "title": "Antrian", "active": "antrian", "queue_total": len(entries), "items": items,
        "reason": reason, "opd": opd, "shown_total": len(chosen),
        "reason_tabs": [{"key": None, "label": "Semua", "count": len(data.filter_queue(entries, None, opd))}] + [
            {"key": k, "label": v, "count": rc.get(k, 0)} for k, v in data.REASON_LABEL.items()],
        "opd_options": sorted(oc.items(), key=lambda kv: (-kv[1], kv[0])),
        "filter_qs": _qs(alasan=reason, opd=opd), "hal": hal, "pages": pages,
        "page_qs": lambda n: _qs(alasan=reason, opd=opd, hal=n),
        "tab_qs": lambda k: _qs(alasan=k, opd=opd),
        "body_data": {"first": f"/pengaduan/{items[0]['c']['id']}{_qs(alasan=reason, opd=opd)}"} if items else {},
    })


# -- detail and decisions ----------------------------------------------------------------------------
@router.get("/pengaduan/{cid}", response_class=HTMLResponse)
def detail_page(request: Request, cid: int, alasan: str | None = None, opd: str | None = None):
    sess = need(request, *ANY_ROLE)
    role = sess.principal.role
    reason, opd = _filter_args(alasan, opd)
    db = request.app.state.db
    try:
        c = get_complaint(db, cid, role)
    except ApiError:
        return page(request, "galat.html", {"title": "Tidak ditemukan", "heading": "Pengaduan tidak ditemukan",
                                            "message": f"Tidak ada pengaduan dengan nomor {cid}."}, status=404)
    t = c.get("triage") or {}
    scr = screening(t.get("flags"), c.get("text"))
    display = c["masked_text"]
    marked = highlight(display, t.get("terms") or [], scr.evidence if scr.flagged else [])
    qctx = {}
    if role in OPERATE:
        entries = data.queue_index(db)
        chosen = data.filter_queue(entries, reason, opd)
        pos, prev_id, next_id = data.neighbours(chosen, cid)
        qctx = {"queue_total": len(entries), "pos": pos, "count": len(chosen), "prev_id": prev_id,
                "next_id": next_id}
    cand = [d for d in (t.get("duplicate_candidates") or []) if d.get("complaint_id") != cid]
    cand_rows = data.complaints_by_id(db, [d["complaint_id"] for d in cand], role)
    threshold = getattr(request.app.state.triage, "duplicate_threshold", 0.9)
    both = sorted(({"cand": d, "c": cand_rows[d["complaint_id"]]} for d in cand if d["complaint_id"] in cand_rows),
                  key=lambda x: -float(x["cand"].get("score") or 0))
    duplicates = [x for x in both if float(x["cand"].get("score") or 0) >= threshold]
    weak = [x for x in both if float(x["cand"].get("score") or 0) < threshold]
    can_decide = role in OPERATE and c["status"] not in ("merged", "responded")
    flag_open = bool(c["flagged"] and not c["flag_cleared"])
    fqs = _qs(alasan=reason, opd=opd)
    body_data = {}
    if qctx.get("next_id"):
        body_data["next"] = f"/pengaduan/{qctx['next_id']}{fqs}"
    if qctx.get("prev_id"):
        body_data["prev"] = f"/pengaduan/{qctx['prev_id']}{fqs}"
    return page(request, "detail.html", {
        "title": f"Pengaduan #{cid}", "active": "antrian" if role in OPERATE else "", "c": c, "t": t,
        "scr": scr, "marked": marked, "top3": (t.get("top_k") or [])[:3], "duplicates": duplicates,
        "weak_duplicates": weak,
        "can_decide": can_decide, "flag_open": flag_open, "opds": known_opds(request), "reason": reason,
        "opd_filter": opd, "fqs": fqs, "body_data": body_data, **qctx,
    })


def _decision_body(form: dict[str, str], opds: list[str]) -> DecisionIn:
    action = form.get("aksi", "")
    try:
        version = int(form.get("versi", ""))
    except ValueError:
        raise ConsoleFormError("Versi pengaduan tidak terbaca; muat ulang halaman.") from None
    values: dict = {"action": action, "expected_version": version}
    note = (form.get("catatan") or "").strip()
    if note:
        values["note"] = note
    if action == "route":
        opd = (form.get("opd") or "").strip()
        if not opd:
            raise ConsoleFormError("Pilih OPD tujuan.")
        if opds and opd not in opds:
            raise ConsoleFormError(f"OPD '{opd}' tidak ada dalam daftar; pilih dari daftar OPD.")
        values["opd"] = opd
    elif action == "merge":
        try:
            values["duplicate_of"] = int((form.get("duplikat") or "").strip().lstrip("#"))
        except ValueError:
            raise ConsoleFormError("Isi nomor pengaduan asal (angka) untuk digabungkan.") from None
    elif action in ("clear_flag", "escalate"):
        if not note:
            raise ConsoleFormError("Catatan wajib diisi untuk "
                                   f"{'menghapus tanda' if action == 'clear_flag' else 'eskalasi'}.")
    else:
        raise ConsoleFormError("Tindakan tidak dikenal.")
    try:
        return DecisionIn(**values)
    except ValidationError as exc:
        raise ConsoleFormError("Data keputusan tidak valid: " + "; ".join(e["msg"] for e in exc.errors())) from None


class ConsoleFormError(Exception):
    pass


def _decision_summary(cid: int, body: DecisionIn, result: dict) -> str:
    c = result["complaint"]
    if body.action == "route":
        return f"Pengaduan #{cid} dirutekan ke {body.opd}."
    if body.action == "merge":
        return f"Pengaduan #{cid} digabungkan sebagai duplikat #{body.duplicate_of}."
    if body.action == "clear_flag":
        extra = f" dan dirutekan ke {c['routed_opd']}" if c["status"] == "routed" else ""
        return f"Tanda pada pengaduan #{cid} dihapus{extra}."
    return f"Pengaduan #{cid} dieskalasi."


@router.post("/pengaduan/{cid}/keputusan")
async def decide_form(request: Request, cid: int):
    sess = need(request, *OPERATE)
    form = await read_form(request)
    check_csrf(request, form, sess)
    reason, opd = _filter_args(form.get("f_alasan"), form.get("f_opd"))
    fqs = _qs(alasan=reason, opd=opd)
    back = f"/pengaduan/{cid}{fqs}"
    try:
        body = _decision_body(form, known_opds(request))
    except ConsoleFormError as exc:
        return flash(request, redirect(back), str(exc), "galat")
    db = request.app.state.db
    try:
        # the very function behind POST /v1/complaints/{id}/decision: same checks, same rows, same metrics
        result = await run_in_threadpool(make_decision, cid, body, request, sess.principal)
    except ApiError as exc:
        return flash(request, redirect(back), exc.detail, "galat")
    received = result["complaint"]["received_at"]
    entries = data.filter_queue(await run_in_threadpool(data.queue_index, db), reason, opd)
    nxt = data.next_after_decision(entries, cid, received)
    message = _decision_summary(cid, body, result)
    if nxt is None:
        return flash(request, redirect("/antrian" + fqs), message + " Antrian ini sudah kosong.")
    return flash(request, redirect(f"/pengaduan/{nxt}{fqs}"), message + f" Berikutnya: pengaduan #{nxt}.")


# -- dashboard ---------------------------------------------------------------------------------------
def dashboard_context(stats: dict) -> dict:
    period = stats["period"]
    per_period: dict[datetime, int] = defaultdict(int)
    for p in stats["periods"]:
        per_period[p["period_start"]] += p["received"]
    week_rows = sorted(per_period.items())

    def period_label(ts: datetime) -> str:
        if period == "month":
            return f"{charts.BULAN[ts.month - 1]} {ts.year}"
        return f"{ts.day} {charts.BULAN[ts.month - 1]}"

    per_opd = sorted(stats["per_opd"], key=lambda r: (-r["received"], r["opd"]))
    route_rows = [r for r in per_opd if r["time_to_route_median_s"] is not None]
    resp_rows = [r for r in per_opd if r["time_to_response_median_s"] is not None]
    unit = {"week": "minggu", "month": "bulan", "day": "hari"}[period]
    return {
        "week_rows": [(ts, n, period_label(ts)) for ts, n in week_rows],
        "per_opd": per_opd, "route_rows": route_rows, "resp_rows": resp_rows,
        "chart_period": charts.column_chart(
            [(period_label(ts), n, f"{unit} mulai {charts.tanggal(ts)}: {n} pengaduan") for ts, n in week_rows],
            f"Pengaduan diterima per {unit}", f"Jumlah pengaduan yang diterima per {unit}; angka ada di tabel.",
            chart_id="grafik-periode"),
        "chart_opd": charts.bar_chart(
            [(r["opd"], [r["received"]]) for r in per_opd], ["Diterima"], "Pengaduan per OPD",
            "Jumlah pengaduan per OPD (yang dirutekan, atau yang disarankan bila belum); angka ada di tabel.",
            chart_id="grafik-opd"),
        "chart_route": charts.bar_chart(
            [(r["opd"], [r["time_to_route_median_s"], r["time_to_route_p90_s"]]) for r in route_rows],
            ["Median", "P90"], "Waktu sampai dirutekan per OPD",
            "Median dan persentil ke-90 waktu dari diterima sampai dirutekan; angka ada di tabel.",
            chart_id="grafik-rute", fmt=charts.durasi),
        "chart_response": charts.bar_chart(
            [(r["opd"], [r["time_to_response_median_s"], r["time_to_response_p90_s"]]) for r in resp_rows],
            ["Median", "P90"], "Waktu sampai ditanggapi per OPD",
            "Median dan persentil ke-90 waktu dari diterima sampai OPD menanggapi; angka ada di tabel.",
            chart_id="grafik-tanggapan", fmt=charts.durasi),
        "unit": unit,
    }


@router.get("/dasbor", response_class=HTMLResponse)
def dashboard(request: Request, periode: str = "week"):
    need(request, *ANY_ROLE)
    period = periode if periode in PERIODS else "week"
    stats = compute_stats(request.app.state.db, period, None, None)  # the numbers of GET /v1/stats?period=…
    return page(request, "dasbor.html", {"title": "Dasbor", "active": "dasbor", "stats": stats,
                                         "totals": stats["totals"], "period": period, "periods": PERIODS,
                                         **dashboard_context(stats)})


# -- walk-in / phone intake --------------------------------------------------------------------------
def _intake_page(request: Request, form: dict | None = None, error: str | None = None, result: dict | None = None,
                 status: int = 200) -> Response:
    kec, kel = data.distinct_areas(request.app.state.db)
    return page(request, "lapor.html", {"title": "Lapor", "active": "lapor", "form": form or {}, "error": error,
                                        "result": result, "channels": CHANNELS, "kecamatan": kec,
                                        "kelurahan": kel}, status=status)


@router.get("/lapor", response_class=HTMLResponse)
def intake_form(request: Request, hasil: int | None = None):
    sess = need(request, *OPERATE)
    result = None
    if hasil is not None:
        try:
            result = get_complaint(request.app.state.db, hasil, sess.principal.role)
        except ApiError:
            result = None
    return _intake_page(request, result=result)


@router.post("/lapor", response_class=HTMLResponse)
async def intake(request: Request):
    sess = need(request, *OPERATE)
    form = await read_form(request)
    check_csrf(request, form, sess)
    channel = form.get("saluran") if form.get("saluran") in dict(CHANNELS) else "loket"
    values = {"text": form.get("teks", ""), "channel": channel}
    for field, key in (("kecamatan", "kecamatan"), ("kelurahan", "kelurahan"), ("address", "alamat")):
        if (form.get(key) or "").strip():
            values[field] = form[key].strip()
    try:
        body = ComplaintIn(**values)
    except ValidationError as exc:
        names = {"text": "Teks pengaduan", "kecamatan": "Kecamatan", "kelurahan": "Kelurahan/desa",
                 "address": "Alamat"}
        fields = sorted({names.get(str(e["loc"][0]), str(e["loc"][0])) for e in exc.errors() if e["loc"]})
        return _intake_page(request, form, f"Periksa isian: {', '.join(fields)} "
                                           "(wajib diisi untuk teks; teks paling banyak 20.000 karakter).", status=422)
    # the same intake as POST /v1/complaints: stored and triaged in one transaction
    stored = (await request.app.state.ingestor.submit([body]))[0]
    cid = stored.complaint["id"]
    status = stored.complaint["status"]
    msg = (f"Pengaduan #{cid} tersimpan dan langsung dirutekan ke {stored.complaint['routed_opd']}."
           if status == "routed" else f"Pengaduan #{cid} tersimpan dan masuk antrian tinjauan.")
    return flash(request, redirect(f"/lapor?hasil={cid}"), msg)


# -- model (analysts) and keys (admins) --------------------------------------------------------------
@router.get("/model", response_class=HTMLResponse)
def model_page(request: Request):
    need(request, *ANY_ROLE)
    triage = request.app.state.triage
    m = getattr(triage.model, "manifest", {}) or {}
    validation = m.get("validation") if isinstance(m.get("validation"), dict) else None
    flat = []
    if validation:
        for k, v in validation.items():
            if isinstance(v, (int, float, str, bool)) or v is None:
                flat.append((k, v))
    return page(request, "model.html", {"title": "Model", "active": "model", "version": triage.version,
                                        "manifest": m, "labels": list(m.get("labels") or []),
                                        "validation": flat, "components": triage.components})


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
