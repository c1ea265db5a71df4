"""``/antrian``: the review queue by reason and OPD, oldest first, with counts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.console import data, queue_index
from service.console.web import OPERATE, PAGE_SIZE, filter_args, need, page, qs
from service.models import utcnow
from service.queries import complaints_by_id

router = APIRouter(include_in_schema=False)


@router.get("/antrian", response_class=HTMLResponse)
def queue_page(request: Request, alasan: str | None = None, opd: str | None = None, setelah: str | None = None,
               sebelum: str | None = None):
    sess = need(request, *OPERATE)
    reason, opd = filter_args(alasan, opd)
    db = request.app.state.db
    n = queue_index.counts(db, reason, opd)
    # keyset pages: after (or before) the item a link names, never an offset into the queue
    after, before = queue_index.parse_cursor(setelah), queue_index.parse_cursor(sebelum)
    found = queue_index.page_ids(db, reason, opd, PAGE_SIZE, after=after, before=None if after else before)
    shown = found["items"]
    rows = complaints_by_id(db, [cid for cid, _ in shown], sess.principal.role)
    now = utcnow()
    items = [{"reasons": reasons, "c": rows[cid], "waiting": max(0.0, (now - rows[cid]["received_at"]).total_seconds())}
             for cid, reasons in shown if cid in rows]
    me = sess.principal.name
    # "open the oldest" skips what another operator has claimed, over the whole filtered queue: two operators
    # never land on the same item
    oldest = queue_index.oldest_open(db, reason, opd, me)
    rc, oc = n["per_reason"], n["per_opd"]
    return page(request, "antrian.html", {
        "title": "Antrian", "active": "antrian", "queue_total": n["total"], "items": items,
        "reason": reason, "opd": opd, "shown_total": n["shown"],
        "reason_tabs": [{"key": None, "label": "Semua", "count": n["in_opd"]}] + [
            {"key": k, "label": v, "count": rc.get(k, 0)} for k, v in data.REASON_LABEL.items()],
        "opd_options": sorted(oc.items(), key=lambda kv: (-kv[1], kv[0])),
        "filter_qs": qs(alasan=reason, opd=opd),
        "next_qs": qs(alasan=reason, opd=opd, setelah=found["next"]) if found["next"] else None,
        "previous_qs": qs(alasan=reason, opd=opd, sebelum=found["previous"]) if found["previous"] else None,
        "tab_qs": lambda k: qs(alasan=k, opd=opd),
        "body_data": {"first": f"/pengaduan/{oldest}{qs(alasan=reason, opd=opd)}"} if oldest else {},
    })
