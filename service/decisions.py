"""Operator decisions and OPD answers: apply the workflow table, store the change and its history row.

Used by ``POST /v1/complaints/{id}/decision`` and ``…/response`` and by the console alike. Optimistic
concurrency: a decision names the version it was made on; if another one landed first it is a
:class:`service.errors.Conflict` and nothing changes. Units are checked against the tenant's units first
(an unknown unit is :class:`service.errors.Invalid`), deadlines follow the new stage.
"""

from __future__ import annotations

from typing import Callable, Protocol

from sqlalchemy import select, update

from service import repository as repo
from service import stats_daily
from service.db import Database
from service.deadlines import next_stage
from service.errors import Conflict, Invalid, not_found
from service.metrics import DECISIONS
from service.models import Complaint, Decision, Response, utcnow, valid_id
from service.stats_daily import Facts, facts_of
from service.tenant import Tenant
from service.views import complaint_out, decision_out, response_out
from service.workflow import (
    MERGE,
    MERGED,
    RESPONDED,
    ROUTED,
    UNMERGE,
    Command,
    State,
    Target,
    plan,
)

ANSWERABLE = (ROUTED, RESPONDED)


class DecisionRequest(Protocol):
    action: str
    expected_version: int
    opd: str | None
    co_opds: list[str] | None
    duplicate_of: int | None
    note: str | None


class ResponseRequest(Protocol):
    text: str
    responded_at: object
    opd: str | None


def _state(session, c: Complaint, action: str) -> State:
    before = None
    if c.status == MERGED:
        before = session.scalar(select(Decision.from_status).where(Decision.complaint_id == c.id,
                                                                   Decision.action == MERGE)
                                .order_by(Decision.id.desc()).limit(1))
    merged_here = ()
    if action == MERGE:
        merged_here = tuple(session.scalars(select(Complaint.id).where(Complaint.duplicate_of == c.id,
                                                                       Complaint.status == MERGED)
                                            .order_by(Complaint.id).limit(5)))
    return State(id=c.id, status=c.status, reasons=tuple(c.review_reasons or ()), flagged=c.flagged,
                 flag_cleared=c.flag_cleared, suggested_opd=c.suggested_opd, duplicate_of=c.duplicate_of,
                 routed_opd=c.routed_opd, assignee=c.assignee, status_before_merge=before, merged_here=merged_here)


def _locked(session, ids: set[int]) -> dict[int, Complaint]:
    """The complaints ``ids``, re-read and row-locked until the transaction ends, always in id order (two
    crossed merges lock the same two rows in the same order: one waits, then sees the other's merge).
    PostgreSQL: ``SELECT … FOR UPDATE``; SQLite ignores it — its write transactions are serialised."""
    rows = session.scalars(select(Complaint).where(Complaint.id.in_(sorted(ids))).order_by(Complaint.id)
                           .with_for_update().execution_options(populate_existing=True))
    return {row.id: row for row in rows}


MAX_CHAIN = 50  # duplicate_of links followed from a merge target (one is the most the workflow allows)


def _target(session, row: Complaint | None) -> Target | None:
    """The merge target with the chain of complaints its ``duplicate_of`` links lead to."""
    if row is None:
        return None
    chain: list[int] = []
    nxt = row.duplicate_of
    while nxt is not None and nxt not in chain and len(chain) < MAX_CHAIN:
        chain.append(nxt)
        nxt = session.scalar(select(Complaint.duplicate_of).where(Complaint.id == nxt))
    return Target(row.id, row.status, row.duplicate_of, tuple(chain))


def _stale(current: int, sent: int) -> Conflict:
    return Conflict("version_conflict", f"Pengaduan ini sudah diubah oleh orang lain (versi sekarang {current}, "
                                        f"Anda mengirim {sent}). Muat ulang lalu putuskan lagi.")


def command_of(body: DecisionRequest, operator: str, tenant: Tenant) -> Command:
    """The workflow command of a request, with every unit it names checked against the tenant's units."""
    opd = tenant.check_unit(body.opd) if body.opd else None
    co = tuple(tenant.check_unit(o, "co_opds") for o in (getattr(body, "co_opds", None) or []))
    return Command(action=body.action, operator=operator, opd=opd, co_opds=co, duplicate_of=body.duplicate_of,
                   note=body.note, assignee=getattr(body, "assignee", None), force=bool(getattr(body, "force", False)))


def decide(db: Database, tenant: Tenant, cid: int, body: DecisionRequest, operator: str,
           key_id: int | None, learn: Callable[..., None] | None = None) -> dict:
    """``learn(text, opd, kelurahan, kecamatan, at, (suggested unit, confidence, features), decision id)`` hears
    every disposition an operator made (the decision memory and the recent-decision thresholds; the id keeps the
    feed of other processes' decisions, service.decision_feed, from feeding it twice)."""
    now = utcnow()
    cmd = command_of(body, operator, tenant)
    if not valid_id(cid):
        raise not_found()
    merging = cmd.action == MERGE and cmd.duplicate_of is not None and cmd.duplicate_of != cid
    if merging and not valid_id(cmd.duplicate_of):
        raise Invalid("invalid_duplicate_of", f"duplicate_of: pengaduan {cmd.duplicate_of} tidak ditemukan.",
                      ["body", "duplicate_of"])
    with db.session(write=True) as session, session.begin():
        rows = _locked(session, {cid, cmd.duplicate_of} if merging else {cid})
        c = rows.get(cid)
        if c is None:
            raise not_found()
        if c.version != body.expected_version:
            raise _stale(c.version, body.expected_version)
        before = facts_of(c)
        target = _target(session, rows.get(cmd.duplicate_of)) if merging else None
        change = plan(_state(session, c, cmd.action), cmd, now, target)
        values = dict(change.values)
        stage = next_stage(tenant, old_stage=c.stage, new_status=change.to_status, action=cmd.action, now=now,
                           reported_at=c.reported_at or c.received_at, old_started=c.stage_started_at,
                           unit=values.get("routed_opd", c.routed_opd), category=c.category)
        if stage is not None:
            values.update(stage)
        if cmd.note and cmd.action not in ("claim", "release"):
            values["status_note"] = cmd.note
        if "routed_opd" in values and c.disposed_within is None and c.stage == "verification" and c.due_at:
            values["disposed_within"] = now <= c.due_at  # the first disposition, against its deadline
        from_status = c.status
        result = session.execute(
            update(Complaint)
            .where(Complaint.id == cid, Complaint.version == body.expected_version)
            .values(review_reasons=change.reasons, status=change.to_status, version=Complaint.version + 1,
                    updated_at=now, **values)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise Conflict("version_conflict", "Pengaduan ini baru saja diubah oleh orang lain. Muat ulang lalu "
                                               "putuskan lagi.")
        decision = Decision(complaint_id=cid, action=cmd.action, opd=cmd.opd or cmd.assignee,
                            co_opds=list(cmd.co_opds) or None, suggested_opd=c.suggested_opd,
                            duplicate_of=(cmd.duplicate_of if cmd.action == MERGE else
                                          c.duplicate_of if cmd.action == UNMERGE else None),
                            note=cmd.note, operator_key_id=key_id, operator=operator, from_status=from_status,
                            to_status=change.to_status, complaint_version=body.expected_version + 1, created_at=now)
        session.add(decision)
        session.flush()
        session.refresh(c)
        stats_daily.apply(session, tenant.calendar.tz, [(before, facts_of(c))], [decision])
        t = repo.latest_triage(session, [cid]).get(cid)
        out = {"decision": decision_out(decision), "complaint": complaint_out(c, t)}
        shown = (t.suggested_opd, float(t.confidence), t.score_features) if t is not None else None
        disposed = (c.masked_text, values["routed_opd"], c.kelurahan, c.kecamatan, now, shown, decision.id) \
            if learn is not None and values.get("routed_opd") else None
    DECISIONS.labels(cmd.action).inc()
    if disposed is not None:
        learn(*disposed)
    return out


def record_response(db: Database, tenant: Tenant, cid: int, body: ResponseRequest, recorded_by: str) -> dict:
    """The OPD's follow-up (tindak lanjut); it also reaches every complaint merged into this one."""
    now = utcnow()
    when = body.responded_at or now
    if when > now:
        raise Invalid("invalid_responded_at", "responded_at: tanggal tanggapan tidak boleh di masa depan "
                                              f"(sekarang {now.isoformat(timespec='seconds')}).",
                      ["body", "responded_at"])
    opd = tenant.check_unit(body.opd) if body.opd else None
    if not valid_id(cid):
        raise not_found()
    with db.session(write=True) as session, session.begin():
        c = _locked(session, {cid}).get(cid)  # a merge into it waits, so the answer reaches every duplicate
        if c is None:
            raise not_found()
        if c.status not in ANSWERABLE or not c.routed_opd:
            raise Conflict("not_routed", "Pengaduan belum didisposisikan ke OPD; tindak lanjut baru dapat dicatat "
                                         "setelah disposisi.")
        if when < c.received_at:
            raise Invalid("invalid_responded_at", "responded_at: tidak boleh sebelum pengaduan diterima "
                                                  f"({c.received_at.isoformat()}).", ["body", "responded_at"])
        before = facts_of(c)
        first = c.responded_at is None or when < c.responded_at
        values = {"status": RESPONDED, "version": Complaint.version + 1, "updated_at": now, "stage": None,
                  "stage_started_at": None, "due_at": None, "overdue3_at": None}
        if first:
            values["responded_at"] = when
        if c.answered_within is None and c.stage == "follow_up" and c.due_at:
            values["answered_within"] = when <= c.due_at
        result = session.execute(update(Complaint).where(Complaint.id == cid, Complaint.version == c.version)
                                 .values(**values).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise Conflict("version_conflict", "Pengaduan ini baru saja diubah oleh orang lain; coba lagi.")
        response = Response(complaint_id=cid, opd=opd or c.routed_opd, text=body.text, responded_at=when,
                            recorded_by=recorded_by, created_at=now)
        session.add(response)
        changes = _reach_merged(session, cid, response, now)
        session.flush()
        session.refresh(c)
        stats_daily.apply(session, tenant.calendar.tz, [(before, facts_of(c)), *changes])
        t = repo.latest_triage(session, [cid]).get(cid)
        return {"response": response_out(response), "complaint": complaint_out(c, t)}


def _reach_merged(session, cid: int, response: Response, now) -> list[tuple[Facts, Facts]]:
    """Complaints merged into ``cid`` get the same answer (the citizen who re-sent it is answered too);
    their statistics facts before and after."""
    merged = session.scalars(select(Complaint).where(Complaint.duplicate_of == cid, Complaint.status == MERGED)).all()
    changes = []
    for m in merged:
        before = facts_of(m)
        session.add(Response(complaint_id=m.id, opd=response.opd, text=response.text,
                             responded_at=response.responded_at, recorded_by=response.recorded_by, created_at=now,
                             source_complaint_id=cid))
        if m.responded_at is None or response.responded_at < m.responded_at:
            m.responded_at = response.responded_at
        m.version += 1
        m.updated_at = now
        changes.append((before, facts_of(m)))
    return changes
