"""The console's queue in SQL, on SQLite and PostgreSQL: counts kept by every write equal counting the queue,
keyset pages walk the whole queue in order (forwards and back), "open the oldest" skips claimed items."""

from __future__ import annotations

from sqlalchemy import String, cast, func, select

from service.console import queue_index
from service.models import QUEUE_STATUSES, Complaint
from service.workflow import REASONS

VAGUE = ["pak tolong itu yang kemarin belum juga", "mohon dibantu segera ya pak", "kapan ditindaklanjuti ini",
         "tolong dicek lagi yang waktu itu", "sudah lama belum ada kabar"]


def fill(svc, n: int = 12) -> list[dict]:
    made = [svc.submit(f"{VAGUE[i % len(VAGUE)]} nomor {i}") for i in range(n)]
    assert sum(c["status"] == "pending_review" for c in made) >= 6
    return made


def counted(db, reason, opd) -> dict:
    """What the queue's counts were before they were kept: counting the queue's rows."""
    unit = func.coalesce(Complaint.suggested_opd, queue_index.UNKNOWN_OPD)

    def where(r, o):
        conds = [Complaint.status.in_(QUEUE_STATUSES)]
        if r:
            conds.append(cast(Complaint.review_reasons, String).contains(f'"{r}"'))
        if o:
            conds.append(unit == o)
        return conds

    with db.session() as s:
        count = lambda r, o: s.scalar(select(func.count()).select_from(Complaint).where(*where(r, o)))  # noqa: E731
        return {"total": count(None, None), "shown": count(reason, opd), "in_opd": count(None, opd),
                "per_reason": {r: count(r, opd) for r in REASONS if count(r, opd)},
                "per_opd": dict(s.execute(select(unit, func.count()).where(*where(reason, None)).group_by(unit)).all())}


def test_queue_counts_kept_by_writes_equal_counting_the_queue(svc):
    made = fill(svc)
    db = svc.app.state.db
    waiting = [c for c in made if c["status"] == "pending_review"]
    svc.post(f"/v1/complaints/{waiting[0]['id']}/decision", {"action": "route", "opd": "Dinas Sosial",
                                                             "expected_version": 1})
    svc.post(f"/v1/complaints/{waiting[1]['id']}/decision", {"action": "escalate", "note": "perlu atasan",
                                                             "expected_version": 1})
    svc.post(f"/v1/complaints/{waiting[2]['id']}/decision", {"action": "merge", "duplicate_of": waiting[3]["id"],
                                                             "expected_version": 1})
    opds = [None, *{c["suggested_opd"] or queue_index.UNKNOWN_OPD for c in waiting}]
    for reason in (None, *REASONS):
        for opd in opds:
            assert queue_index.counts(db, reason, opd) == counted(db, reason, opd), (reason, opd)


def test_keyset_pages_walk_the_whole_queue_in_order_and_back(svc):
    fill(svc)
    db = svc.app.state.db
    with db.session() as s:
        order = list(s.scalars(select(Complaint.id).where(Complaint.status.in_(QUEUE_STATUSES))
                               .order_by(Complaint.received_at, Complaint.id)))
    pages, page = [], queue_index.page_ids(db, None, None, 4)
    assert page["previous"] is None
    while True:
        pages.append([cid for cid, _ in page["items"]])
        if page["next"] is None:
            break
        page = queue_index.page_ids(db, None, None, 4, after=queue_index.parse_cursor(page["next"]))
    assert [cid for p in pages for cid in p] == order and all(len(p) <= 4 for p in pages)
    back = []
    while page["previous"] is not None:
        page = queue_index.page_ids(db, None, None, 4, before=queue_index.parse_cursor(page["previous"]))
        back.insert(0, [cid for cid, _ in page["items"]])
    assert back == pages[:-1]
    assert queue_index.parse_cursor("not a cursor") is None


def test_open_the_oldest_skips_items_another_operator_claimed(svc):
    made = [c for c in fill(svc) if c["status"] == "pending_review"]
    db = svc.app.state.db
    oldest = queue_index.oldest_open(db, None, None, "operator-lain")
    r = svc.post(f"/v1/complaints/{oldest}/decision", {"action": "claim", "expected_version": 1})
    assert r.status_code == 200, r.text
    me = r.json()["complaint"]["assignee"]
    assert queue_index.oldest_open(db, None, None, me) == oldest  # one's own claim is still one's to open
    other = queue_index.oldest_open(db, None, None, "operator-lain")
    assert other != oldest and other in {c["id"] for c in made}
