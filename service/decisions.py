"""Operator decisions and OPD responses: apply the workflow table, store the change and its history row.

Used by ``POST /v1/complaints/{id}/decision`` and ``…/response`` and by the console alike. Optimistic
concurrency: a decision names the version it was made on; if another one landed first it is a
:class:`service.errors.Conflict` and nothing changes.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import update

from service import repository as repo
from service.db import Database
from service.errors import Conflict, Invalid, not_found
from service.metrics import DECISIONS
from service.models import RESPONDED, ROUTED, Complaint, Decision, Response, utcnow
from service.views import complaint_out, decision_out, response_out
from service.workflow import MERGE, Command, State, Target, plan


class DecisionRequest(Protocol):
    action: str
    expected_version: int
    opd: str | None
    duplicate_of: int | None
    note: str | None


class ResponseRequest(Protocol):
    text: str
    responded_at: object
    opd: str | None


def _state(c: Complaint) -> State:
    return State(id=c.id, status=c.status, reasons=tuple(c.review_reasons or ()), flagged=c.flagged,
                 flag_cleared=c.flag_cleared, suggested_opd=c.suggested_opd, duplicate_of=c.duplicate_of)


def _stale(current: int, sent: int) -> Conflict:
    return Conflict("version_conflict", f"Pengaduan ini sudah diubah oleh orang lain (versi sekarang {current}, "
                                        f"Anda mengirim {sent}). Muat ulang lalu putuskan lagi.")


def decide(db: Database, cid: int, body: DecisionRequest, operator: str, key_id: int | None) -> dict:
    now = utcnow()
    cmd = Command(action=body.action, operator=operator, opd=body.opd, duplicate_of=body.duplicate_of,
                  note=body.note)
    with db.session(write=True) as session, session.begin():
        c = session.get(Complaint, cid)
        if c is None:
            raise not_found()
        if c.version != body.expected_version:
            raise _stale(c.version, body.expected_version)
        target = None
        if cmd.action == MERGE and cmd.duplicate_of is not None and cmd.duplicate_of != cid:
            row = session.get(Complaint, cmd.duplicate_of)
            target = Target(row.id, row.status, row.duplicate_of) if row is not None else None
        change = plan(_state(c), cmd, now, target)
        from_status = c.status
        result = session.execute(
            update(Complaint)
            .where(Complaint.id == cid, Complaint.version == body.expected_version)
            .values(review_reasons=change.reasons, status=change.to_status, version=Complaint.version + 1,
                    updated_at=now, **change.values)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise Conflict("version_conflict", "Pengaduan ini baru saja diubah oleh orang lain. Muat ulang lalu "
                                               "putuskan lagi.")
        decision = Decision(complaint_id=cid, action=cmd.action, opd=cmd.opd, suggested_opd=c.suggested_opd,
                            duplicate_of=cmd.duplicate_of if cmd.action == MERGE else None, note=cmd.note,
                            operator_key_id=key_id, operator=operator, from_status=from_status,
                            to_status=change.to_status, complaint_version=body.expected_version + 1, created_at=now)
        session.add(decision)
        session.flush()
        session.refresh(c)
        t = repo.latest_triage(session, [cid]).get(cid)
        out = {"decision": decision_out(decision), "complaint": complaint_out(c, t)}
    DECISIONS.labels(cmd.action).inc()
    return out


def record_response(db: Database, cid: int, body: ResponseRequest, recorded_by: str) -> dict:
    now = utcnow()
    when = body.responded_at or now
    with db.session(write=True) as session, session.begin():
        c = session.get(Complaint, cid)
        if c is None:
            raise not_found()
        if c.status not in (ROUTED, RESPONDED) or not c.routed_opd:
            raise Conflict("not_routed", "Pengaduan belum dirutekan ke OPD; tanggapan baru dapat dicatat setelah "
                                         "dirutekan.")
        if when < c.received_at:
            raise Invalid("invalid_responded_at", "responded_at: tidak boleh sebelum pengaduan diterima "
                                                  f"({c.received_at.isoformat()}).", ["body", "responded_at"])
        first = c.responded_at is None or when < c.responded_at
        values = {"status": RESPONDED, "version": Complaint.version + 1, "updated_at": now}
        if first:
            values["responded_at"] = when
        result = session.execute(update(Complaint).where(Complaint.id == cid, Complaint.version == c.version)
                                 .values(**values).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise Conflict("version_conflict", "Pengaduan ini baru saja diubah oleh orang lain; coba lagi.")
        response = Response(complaint_id=cid, opd=body.opd or c.routed_opd, text=body.text, responded_at=when,
                            recorded_by=recorded_by, created_at=now)
        session.add(response)
        session.flush()
        session.refresh(c)
        t = repo.latest_triage(session, [cid]).get(cid)
        return {"response": response_out(response), "complaint": complaint_out(c, t)}
