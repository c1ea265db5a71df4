"""``/antrian``: the review queue by reason and OPD, oldest first, with counts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.console import data
from service.console.web import OPERATE, PAGE_SIZE, filter_args, need, page, qs
from service.models import utcnow
from service.queries import complaints_by_id

router = APIRouter(include_in_schema=False)


@router.get("/antrian", response_class=HTMLResponse)
def queue_page(request: Request, alasan: str | None = None, opd: str | None = None, hal: int = 1):
    sess = need(request, *OPERATE)
    reason, opd = filter_args(alasan, opd)
    db = request.app.state.db
    entries = data.queue_index(db)
    chosen = data.filter_queue(entries, reason, opd)
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    hal = min(max(1, hal), pages)
    shown = chosen[(hal - 1) * PAGE_SIZE: hal * PAGE_SIZE]
    rows = complaints_by_id(db, [e.id for e in shown], sess.principal.role)
    now = utcnow()
    items = [{"entry": e, "c": rows[e.id], "waiting": max(0.0, (now - e.received_at).total_seconds())}
             for e in shown if e.id in rows]
    me = sess.principal.name
    first = next((it for it in items if it["c"]["assignee"] in (None, me)), None)
    rc = data.reason_counts(entries, opd)
    oc = data.opd_counts(entries, reason)
    return page(request, "antrian.html", {
        "title": "Antrian", "active": "antrian", "queue_total": len(entries), "items": items,
        "reason": reason, "opd": opd, "shown_total": len(chosen),
        "reason_tabs": [{"key": None, "label": "Semua", "count": len(data.filter_queue(entries, None, opd))}] + [
            {"key": k, "label": v, "count": rc.get(k, 0)} for k, v in data.REASON_LABEL.items()],
        "opd_options": sorted(oc.items(), key=lambda kv: (-kv[1], kv[0])),
        "filter_qs": qs(alasan=reason, opd=opd), "hal": hal, "pages": pages,
        "page_qs": lambda n: qs(alasan=reason, opd=opd, hal=n),
        "tab_qs": lambda k: qs(alasan=k, opd=opd),
        # "open the oldest" skips what another operator has claimed: two operators never land on the same item
        "body_data": {"first": f"/pengaduan/{first['c']['id']}{qs(alasan=reason, opd=opd)}"} if first else {},
    })
