"""Read use cases shared by the API and the console: one complaint, a listing, the review queue.

Each opens its own read session and returns API-shaped dicts (``service.views``).
"""

from __future__ import annotations

from service import repository as repo
from service.db import Database
from service.errors import not_found
from service.models import Complaint, utcnow, valid_id
from service.repository import ListFilters
from service.views import complaint_out, decision_out, response_out

__all__ = ["ListFilters", "get_complaint", "list_complaints", "review_queue", "queue_size", "complaints_by_id"]


def get_complaint(db: Database, cid: int, role: str) -> dict:
    if not valid_id(cid):
        raise not_found()
    with db.session() as session:
        c = session.get(Complaint, cid)
        if c is None:
            raise not_found()
        t = repo.latest_triage(session, [cid]).get(cid)
        decisions, responses = repo.history(session, cid)
        out = complaint_out(c, t, role)
        out["decisions"] = [decision_out(d, role) for d in decisions]
        out["responses"] = [response_out(r, role) for r in responses]
        return out


def list_complaints(db: Database, f: ListFilters, limit: int, cursor: str | None, role: str) -> dict:
    with db.session() as session:
        rows, triage, nxt = repo.list_page(session, f, limit, cursor)
        return {"items": [complaint_out(c, triage.get(c.id), role) for c in rows], "next_cursor": nxt}


def review_queue(db: Database, reason: str | None, limit: int, cursor: str | None, role: str) -> dict:
    now = utcnow()
    with db.session() as session:
        size, rows, triage, nxt = repo.queue_page(session, reason, limit, cursor)
        items = [{"reasons": list(c.review_reasons or []),
                  "waiting_seconds": max(0.0, (now - c.received_at).total_seconds()),
                  "complaint": complaint_out(c, triage.get(c.id), role)} for c in rows]
    return {"queue_size": size, "items": items, "next_cursor": nxt}


def queue_size(db: Database) -> int:
    with db.session() as session:
        return repo.queue_size(session)


def complaints_by_id(db: Database, ids: list[int], role: str) -> dict[int, dict]:
    """API-shaped complaint dicts for the given ids (missing ids are left out)."""
    with db.session() as session:
        return {cid: complaint_out(c, t, role) for cid, (c, t) in repo.complaints_by_id(session, ids).items()}
