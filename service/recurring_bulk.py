"""Filing many stored complaints into recurring groups at once: at start-up, the window's complaints that have no
recurrence row yet (stored before the feature existed, or while filing failed).

The grouper links them one by one in time order, exactly as intake files each new complaint
(``RecurringMaintainer._file_rows``); only the writes are gathered into one transaction, and each touched group is
refreshed once at the end, with the label it had after its last change. The rows written are those filing them
one at a time writes, without a transaction and two group reads per complaint (tens of thousands of complaints
after an upgrade took half an hour that way).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import bindparam, delete, func, select, update

from pipeline.dedup.features import content_words
from service.models import Complaint, ComplaintRecurrence, RecurringGroup, utcnow
from service.recurring_rows import _record, complaint_time, forms_json, readable_words

CHUNK = 5000


def _chunks(values: list) -> list[list]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]


def file_in_bulk(maintainer, rows, texts: dict[int, str]) -> None:
    """Link ``rows`` (stored complaints without a recurrence row, in time order; ``texts`` by id) and write
    their recurrence rows and groups."""
    grouper = maintainer.grouper
    new: list[dict] = []
    labels: dict[int, str] = {}  # live group → its label after its last change
    merged_into: dict[int, int] = {}  # absorbed group → the group that absorbed it
    stored_joined: set[int] = set()  # complaints with a stored row that joined a group
    filed: set[int] = set()
    for r in rows:
        if r.id in grouper:
            continue
        words = content_words(texts[r.id])
        a = grouper.add(_record(r, texts[r.id]))
        filed.add(r.id)
        new.append({"complaint_id": r.id, "at": complaint_time(r), "words": readable_words(words),
                    "forms": forms_json(words),
                    "links": [{"id": int(x.id), "score": x.score, "text": x.text} for x in a.links]})
        if a.group is None:
            continue
        gid = int(a.group)
        for x in a.absorbed:
            merged_into[int(x)] = gid
            labels.pop(int(x), None)
        stored_joined.update(int(x) for x in a.joined if int(x) not in filed)
        g = grouper.groups_.get(a.group)
        labels[gid] = (grouper.label(g) if g is not None else "")[:300]
    if not new:
        return

    def final(gid: int) -> int:
        while gid in merged_into:
            gid = merged_into[gid]
        return gid

    def group_of(cid: int) -> int | None:
        g = grouper.group_of(str(cid))
        return None if g is None else int(g)

    now = utcnow()
    live = sorted(labels)
    with maintainer.db.session(write=True) as session, session.begin():
        conn = session.connection()
        known = set()
        for part in _chunks(live):
            known.update(conn.scalars(select(RecurringGroup.id).where(RecurringGroup.id.in_(part))))
        placeholders = [{"id": g, "size": 0, "first_at": now, "last_at": now, "label": "", "updated_at": now}
                        for g in live if g not in known]
        if placeholders:
            conn.execute(RecurringGroup.__table__.insert(), placeholders)
        table = ComplaintRecurrence.__table__
        if merged_into:
            conn.execute(update(table).where(table.c.group_id == bindparam("old")).values(group_id=bindparam("new")),
                         [{"old": old, "new": final(old)} for old in merged_into])
        for row in new:
            row["group_id"] = group_of(row["complaint_id"])
        conn.execute(table.insert(), new)
        if stored_joined:
            conn.execute(update(table).where(table.c.complaint_id == bindparam("cid")).values(group_id=bindparam("g")),
                         [{"cid": c, "g": group_of(c)} for c in sorted(stored_joined)])
        for part in _chunks(sorted(merged_into)):
            conn.execute(delete(RecurringGroup.__table__).where(RecurringGroup.id.in_(part)))
        _refresh(conn, live, labels, now)


def _refresh(conn, live: list[int], labels: dict[int, str], now) -> None:
    """Size, first/last date, most common area and label of each live group touched (as ``_refresh`` per group)."""
    values = []
    for part in _chunks(live):
        sizes = {g: (n, first, last) for g, n, first, last in conn.execute(
            select(ComplaintRecurrence.group_id, func.count(), func.min(ComplaintRecurrence.at),
                   func.max(ComplaintRecurrence.at))
            .where(ComplaintRecurrence.group_id.in_(part)).group_by(ComplaintRecurrence.group_id))}
        areas: dict[int, Counter] = defaultdict(Counter)
        for g, kel, kec in conn.execute(
                select(ComplaintRecurrence.group_id, Complaint.kelurahan, Complaint.kecamatan)
                .join(Complaint, Complaint.id == ComplaintRecurrence.complaint_id)
                .where(ComplaintRecurrence.group_id.in_(part))):
            areas[g][(kel, kec)] += 1
        for g in part:
            size, first, last = sizes[g]
            (kel, kec), _ = areas[g].most_common(1)[0]
            values.append({"gid": g, "n": size, "first": first, "last": last, "kel": kel, "kec": kec,
                           "text": labels[g], "now": now})
    table = RecurringGroup.__table__
    if values:
        conn.execute(update(table).where(table.c.id == bindparam("gid")).values(
            size=bindparam("n"), first_at=bindparam("first"), last_at=bindparam("last"), kelurahan=bindparam("kel"),
            kecamatan=bindparam("kec"), label=bindparam("text"), updated_at=bindparam("now")), values)
