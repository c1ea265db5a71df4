"""``/lapor``: walk-in and phone complaints, through the same intake as ``POST /v1/complaints``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from service.complaint_schemas import ComplaintIn
from service.console import data
from service.console.web import OPERATE, check_csrf, flash, need, page, read_form, redirect
from service.errors import Invalid, NotFound
from service.field_types import check_text_length
from service.queries import get_complaint

router = APIRouter(include_in_schema=False)

CHANNELS = (("loket", "Datang langsung (loket)"), ("telepon", "Telepon"), ("surat", "Surat"),
            ("lainnya", "Lainnya"))


def _intake_page(request: Request, form: dict | None = None, error: str | None = None, result: dict | None = None,
                 status: int = 200) -> Response:
    kec, kel = data.distinct_areas(request.app.state.db)
    return page(request, "lapor.html", {"title": "Lapor", "active": "lapor", "form": form or {}, "error": error,
                                        "result": result, "channels": CHANNELS, "kecamatan": kec,
                                        "kelurahan": kel,
                                        "dup_threshold": request.app.state.triage.duplicate_threshold},
                status=status)


@router.get("/lapor", response_class=HTMLResponse)
def intake_form(request: Request, hasil: int | None = None):
    sess = need(request, *OPERATE)
    result = None
    if hasil is not None:
        try:
            result = get_complaint(request.app.state.db, hasil, sess.principal.role)
        except NotFound:
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
    limit = request.app.state.settings.max_text_chars
    try:
        body = ComplaintIn(**values)
        check_text_length(body.text, limit, ["body", "text"])
    except ValidationError as exc:
        names = {"text": "Teks pengaduan", "kecamatan": "Kecamatan", "kelurahan": "Kelurahan/desa",
                 "address": "Alamat"}
        fields = sorted({names.get(str(e["loc"][0]), str(e["loc"][0])) for e in exc.errors() if e["loc"]})
        return _intake_page(request, form, f"Periksa isian: {', '.join(fields)} (wajib diisi untuk teks).", status=422)
    except Invalid:
        return _intake_page(request, form, f"Teks pengaduan terlalu panjang: paling banyak {limit:,} karakter."
                            .replace(",", "."), status=422)
    # the same intake as POST /v1/complaints: stored and triaged in one transaction
    stored = (await request.app.state.ingestor.submit([body]))[0]
    cid = stored.complaint["id"]
    status = stored.complaint["status"]
    msg = (f"Pengaduan #{cid} tersimpan dan langsung dirutekan ke {stored.complaint['routed_opd']}."
           if status == "routed" else f"Pengaduan #{cid} tersimpan dan masuk antrian tinjauan.")
    return flash(request, redirect(f"/lapor?hasil={cid}"), msg)
