"""``/pengaduan/{id}``: one complaint with its triage, evidence and duplicates; the operator's decisions."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from service.console import data, queue_index
from service.console import formats
from service.console.data import ACTION_LABEL
from service.console.highlight import highlight, screening
from service.console.recurring import detail_context as recurring_context
from service.console.web import ANY_ROLE, OPERATE, check_csrf, display_zone, filter_args, flash, known_opds, need, \
    page, qs, read_form, redirect
from service.decision_schemas import DecisionIn, ResponseIn
from service.decisions import decide, record_response
from service.errors import DomainError, Invalid, NotFound
from service.field_types import check_text_length
from service.queries import complaints_by_id, get_complaint
from service.replies import replies_for

router = APIRouter(include_in_schema=False)


@router.get("/pengaduan/{cid}", response_class=HTMLResponse)
def detail_page(request: Request, cid: int, alasan: str | None = None, opd: str | None = None):
    sess = need(request, *ANY_ROLE)
    role = sess.principal.role
    reason, opd = filter_args(alasan, opd)
    db = request.app.state.db
    try:
        c = get_complaint(db, cid, role)
    except NotFound:
        return page(request, "galat.html", {"title": "Tidak ditemukan", "heading": "Pengaduan tidak ditemukan",
                                            "message": f"Tidak ada pengaduan dengan nomor {cid}."}, status=404)
    t = c.get("triage") or {}
    scr = screening(t.get("flags"), c.get("text"))
    display = c["masked_text"]
    marked = highlight(display, t.get("terms") or [], scr.evidence if scr.flagged else [])
    qctx = {}
    if role in OPERATE:
        pos, prev_id, next_id, size = queue_index.neighbours(db, reason, opd, cid)
        qctx = {"pos": pos, "count": size, "prev_id": prev_id, "next_id": next_id}
    cand = [d for d in (t.get("duplicate_candidates") or []) if d.get("complaint_id") != cid]
    cand_rows = complaints_by_id(db, [d["complaint_id"] for d in cand], role)
    threshold = getattr(request.app.state.triage, "duplicate_threshold", 0.9)
    both = sorted(({"cand": d, "c": cand_rows[d["complaint_id"]]} for d in cand if d["complaint_id"] in cand_rows),
                  key=lambda x: -float(x["cand"].get("score") or 0))
    duplicates = [x for x in both if float(x["cand"].get("score") or 0) >= threshold]
    weak = [x for x in both if float(x["cand"].get("score") or 0) < threshold]
    can_decide = role in OPERATE and bool(c["allowed_actions"])
    flag_open = bool(c["flagged"] and not c["flag_cleared"])
    fqs = qs(alasan=reason, opd=opd)
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
        "opd_filter": opd, "fqs": fqs, "body_data": body_data, "allowed": set(c["allowed_actions"]),
        "replies": replies_for(request.app.state.replies, c, request.app.state.tenant.calendar),
        "stage_label": data.STAGE_LABEL, "now_local": formats.now_local(display_zone(request)), **qctx,
        **recurring_context(request, cid, c.get("submitted_at") or c["received_at"], role),
    })


@router.post("/pengaduan/{cid}/tanggapan")
async def answer_form(request: Request, cid: int):
    """The OPD's follow-up (tindak lanjut), recorded by the operator: the same function as POST …/response."""
    sess = need(request, *OPERATE)
    form = await read_form(request)
    check_csrf(request, form, sess)
    back = f"/pengaduan/{cid}"
    values: dict = {"text": (form.get("teks") or "").strip()}
    when = (form.get("waktu") or "").strip()
    try:
        if when:
            values["responded_at"] = datetime.fromisoformat(when).replace(tzinfo=display_zone(request).tz)
        body = ResponseIn(**values)
        check_text_length(body.text, request.app.state.settings.max_text_chars, ["body", "text"])
    except Invalid as exc:
        return flash(request, redirect(back), exc.detail, "galat")
    except (ValueError, ValidationError):
        return flash(request, redirect(back), "Isi teks tindak lanjut dan waktu yang valid.", "galat")
    try:
        await run_in_threadpool(record_response, request.app.state.db, request.app.state.tenant, cid, body,
                                sess.principal.name)
    except DomainError as exc:
        return flash(request, redirect(back), exc.detail, "galat")
    return flash(request, redirect(back), f"Tindak lanjut pengaduan #{cid} tercatat.")


NOTE_NAMES = {"clear_flag": "menghapus tanda", "escalate": "eskalasi", "forward": "meneruskan (bukan wewenang)",
              "postpone": "menunda", "archive": "mengarsipkan", "reopen": "membuka kembali"}


def _decision_body(form: dict[str, str], opds: list[str]) -> DecisionIn:
    action = form.get("aksi", "")
    try:
        version = int(form.get("versi", ""))
    except ValueError:
        raise ConsoleFormError("Versi pengaduan tidak terbaca; muat ulang halaman.") from None
    if action not in ACTION_LABEL:
        raise ConsoleFormError("Tindakan tidak dikenal.")
    values: dict = {"action": action, "expected_version": version}
    note = (form.get("catatan") or "").strip()
    if note:
        values["note"] = note
    if action in ("route", "forward"):
        opd = (form.get("opd") or "").strip()
        if not opd:
            raise ConsoleFormError("Pilih OPD tujuan.")
        co = [v.strip() for k, v in sorted(form.items()) if k.startswith("co_opd") and v.strip()]
        for name in [opd, *co]:
            if opds and name not in opds:
                raise ConsoleFormError(f"OPD '{name}' tidak ada dalam daftar; pilih dari daftar OPD.")
        values["opd"] = opd
        if co:
            values["co_opds"] = co
    elif action == "merge":
        try:
            values["duplicate_of"] = int((form.get("duplikat") or "").strip().lstrip("#"))
        except ValueError:
            raise ConsoleFormError("Isi nomor pengaduan asal (angka) untuk digabungkan.") from None
    if action in NOTE_NAMES and not note:
        raise ConsoleFormError(f"Catatan wajib diisi untuk {NOTE_NAMES[action]}.")
    if action == "claim" and form.get("ambil_alih") == "1":
        values["force"] = True
    try:
        return DecisionIn(**values)
    except ValidationError as exc:
        raise ConsoleFormError("Data keputusan tidak valid: " + "; ".join(e["msg"] for e in exc.errors())) from None


class ConsoleFormError(Exception):
    pass


def _decision_summary(cid: int, body: DecisionIn, result: dict) -> str:
    c = result["complaint"]
    if body.action == "route":
        co = f" (bersama {', '.join(body.co_opds)})" if body.co_opds else ""
        return f"Pengaduan #{cid} didisposisikan ke {body.opd}{co}."
    if body.action == "forward":
        return f"Pengaduan #{cid} bukan wewenang; diteruskan ke {body.opd}."
    if body.action == "merge":
        return f"Pengaduan #{cid} digabungkan sebagai duplikat #{body.duplicate_of}."
    if body.action == "clear_flag":
        extra = f" dan didisposisikan ke {c['routed_opd']}" if c["status"] == "routed" else ""
        return f"Tanda pada pengaduan #{cid} dihapus{extra}."
    done = {"escalate": "dieskalasi", "verify": "diverifikasi", "postpone": "ditunda", "archive": "diarsipkan",
            "done": "selesai", "unmerge": "tidak lagi digabung", "reopen": "dibuka kembali",
            "claim": f"sekarang ditangani {c.get('assignee')}", "release": "dilepas"}
    return f"Pengaduan #{cid} {done.get(body.action, body.action)}."


STAY = ("claim", "release", "verify", "unmerge", "reopen")  # the operator keeps working on this complaint


@router.post("/pengaduan/{cid}/keputusan")
async def decide_form(request: Request, cid: int):
    sess = need(request, *OPERATE)
    form = await read_form(request)
    check_csrf(request, form, sess)
    reason, opd = filter_args(form.get("f_alasan"), form.get("f_opd"))
    fqs = qs(alasan=reason, opd=opd)
    back = f"/pengaduan/{cid}{fqs}"
    try:
        body = _decision_body(form, known_opds(request))
    except ConsoleFormError as exc:
        return flash(request, redirect(back), str(exc), "galat")
    db = request.app.state.db
    try:
        # the service function behind POST /v1/complaints/{id}/decision: same checks, same rows, same metrics
        result = await run_in_threadpool(decide, db, request.app.state.tenant, cid, body, sess.principal.name,
                                         sess.principal.key_id,
                                         getattr(request.app.state.triage, "learn", None))
    except DomainError as exc:
        return flash(request, redirect(back), exc.detail, "galat")
    message = _decision_summary(cid, body, result)
    if body.action in STAY:
        return flash(request, redirect(back), message)
    received = result["complaint"]["received_at"]
    nxt = await run_in_threadpool(queue_index.next_after, db, reason, opd, cid, received)
    if nxt is None:
        return flash(request, redirect("/antrian" + fqs), message + " Antrian ini sudah kosong.")
    return flash(request, redirect(f"/pengaduan/{nxt}{fqs}"), message + f" Berikutnya: pengaduan #{nxt}.")
