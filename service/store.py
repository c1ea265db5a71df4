"""Storing and reading complaints: intake, decisions, responses, listings — all database work.

Every function takes a :class:`service.db.Database` and runs its own transaction, so a complaint and
its triage result are committed together or not at all.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import String, and_, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from service.db import Database
from service.errors import ApiError, not_found
from service.models import (
    ESCALATED,
    ESCALATION,
    FLAGGED,
    MERGED,
    NOT_AUTO_ROUTED,
    PENDING_REVIEW,
    PROBABLE_DUPLICATE,
    QUEUE_STATUSES,
    RESPONDED,
    ROUTED,
    Complaint,
    Decision,
    Response,
    TriageResult,
    utcnow,
)
from service.schemas import ComplaintIn, DecisionIn, ResponseIn
from service.triage import Outcome, Triage, TriageInput

MODEL_ROUTER = "model"
EXACT_DUPLICATE_WINDOW = timedelta(days=90)
DUP_LOC = ["body", "duplicate_of"]


# -- serialisation -------------------------------------------------------------------------------
def triage_out(t: TriageResult | None) -> dict | None:
    if t is None:
        return None
    return {
        "model_version": t.model_version, "suggested_opd": t.suggested_opd, "confidence": t.confidence,
        "auto_route": t.auto_route, "top_k": t.top_k, "explanation": t.explanation, "terms": t.terms,
        "area": t.area, "flags": t.flags, "duplicate_candidates": t.duplicate_candidates,
        "created_at": t.created_at,
    }


def complaint_out(c: Complaint, t: TriageResult | None, role: str = "operator") -> dict:
    return {
        "id": c.id, "external_id": c.external_id, "channel": c.channel,
        "text": None if role == "analyst" else c.text, "masked_text": c.masked_text,
        "kecamatan": c.kecamatan, "kelurahan": c.kelurahan, "address": c.address,
        "submitted_at": c.submitted_at, "received_at": c.received_at, "status": c.status,
        "review_reasons": list(c.review_reasons or []), "suggested_opd": c.suggested_opd,
        "confidence": c.confidence, "auto_routed": c.auto_routed, "flagged": c.flagged,
        "flag_categories": [x for x in (c.flag_categories or "").split(",") if x],
        "flag_cleared": c.flag_cleared, "routed_opd": c.routed_opd, "routed_at": c.routed_at,
        "routed_by": c.routed_by, "duplicate_of": c.duplicate_of, "responded_at": c.responded_at,
        "version": c.version, "triage": triage_out(t),
    }


def decision_out(d: Decision) -> dict:
    return {k: getattr(d, k) for k in ("id", "complaint_id", "action", "opd", "suggested_opd", "duplicate_of",
                                      "note", "operator", "from_status", "to_status", "complaint_version",
                                      "created_at")}


def response_out(r: Response) -> dict:
    return {k: getattr(r, k) for k in ("id", "complaint_id", "opd", "text", "responded_at", "recorded_by",
                                      "created_at")}


def latest_triage(session, ids: list[int]) -> dict[int, TriageResult]:
    if not ids:
        return {}
    rows = session.scalars(select(TriageResult).where(TriageResult.complaint_id.in_(ids))
                           .order_by(TriageResult.id)).all()
    return {r.complaint_id: r for r in rows}  # the last one wins


# -- intake --------------------------------------------------------------------------------------
@dataclass
class Intake:
    status: str  # "created" | "existing"
    complaint: dict


def _by_external_id(session, external_ids: set[str]) -> dict[str, tuple[Complaint, TriageResult | None]]:
    if not external_ids:
        return {}
    rows = session.scalars(select(Complaint).where(Complaint.external_id.in_(external_ids))).all()
    triage = latest_triage(session, [c.id for c in rows])
    return {c.external_id: (c, triage.get(c.id)) for c in rows}


def _exact_duplicates(session, hashes: set[str], now: datetime) -> dict[str, list[int]]:
    if not hashes:
        return {}
    rows = session.execute(
        select(Complaint.text_hash, Complaint.id)
        .where(Complaint.text_hash.in_(hashes), Complaint.received_at >= now - EXACT_DUPLICATE_WINDOW,
               Complaint.status != MERGED)
        .order_by(Complaint.id)).all()
    found: dict[str, list[int]] = {}
    for h, cid in rows:
        found.setdefault(h, []).append(cid)
    return found


def _new_rows(item: ComplaintIn, outcome: Outcome, now: datetime, duplicate_threshold: float,
              exact: list[int]) -> tuple[Complaint, TriageResult]:
    # an exact re-submission is a duplicate whatever the similarity model scored it: exact matches first
    exact_ids = list(reversed(exact[-5:]))
    candidates = [{"complaint_id": cid, "score": 1.0, "method": "exact"} for cid in exact_ids]
    candidates += [c for c in outcome.duplicate_candidates if c["complaint_id"] not in set(exact_ids)]
    outcome.duplicate_candidates = candidates
    reasons = outcome.review_reasons(duplicate_threshold)
    auto = not reasons
    complaint = Complaint(
        external_id=item.external_id, channel=item.channel, text=item.text, masked_text=outcome.masked_text,
        text_hash=outcome.text_hash, kecamatan=item.kecamatan, kelurahan=item.kelurahan, address=item.address,
        submitted_at=item.submitted_at, received_at=now, status=ROUTED if auto else PENDING_REVIEW,
        review_reasons=reasons, suggested_opd=outcome.suggested_opd, confidence=outcome.confidence,
        auto_routed=auto, flagged=outcome.flagged,
        flag_categories="".join(f",{c}" for c in outcome.flag_categories) + ("," if outcome.flag_categories else ""),
        flag_cleared=False, routed_opd=outcome.suggested_opd if auto else None, routed_at=now if auto else None,
        routed_by=MODEL_ROUTER if auto else None, version=1, updated_at=now,
    )
    result = TriageResult(
        model_version=outcome.model_version, suggested_opd=outcome.suggested_opd, confidence=outcome.confidence,
        auto_route=outcome.auto_route, top_k=outcome.top_k, explanation=outcome.explanation, terms=outcome.terms,
        area=outcome.area, flags=outcome.flags, duplicate_candidates=candidates, created_at=now,
    )
    return complaint, result


def _store(db: Database, triage: Triage, items: list[ComplaintIn], outcomes: list[Outcome]) -> list[dict]:
    """Insert complaints with their triage results in ONE transaction; return their API dicts."""
    now = utcnow()
    with db.session(write=True) as session, session.begin():
        exact = _exact_duplicates(session, {o.text_hash for o in outcomes}, now)
        pairs = [_new_rows(item, o, now, triage.duplicate_threshold, exact.get(o.text_hash, []))
                 for item, o in zip(items, outcomes)]
        session.add_all([c for c, _ in pairs])
        session.flush()
        # exact duplicates within this batch: the later one points at the earlier one
        first: dict[str, int] = {}
        for (c, t), o in zip(pairs, outcomes):
            if o.text_hash in first:
                t.duplicate_candidates = [{"complaint_id": first[o.text_hash], "score": 1.0, "method": "exact"}] + [
                    d for d in t.duplicate_candidates if d["complaint_id"] != first[o.text_hash]]
                o.duplicate_candidates = t.duplicate_candidates
                reasons = o.review_reasons(triage.duplicate_threshold)
                c.review_reasons, c.status, c.auto_routed = reasons, PENDING_REVIEW, False
                c.routed_opd = c.routed_at = c.routed_by = None
            first.setdefault(o.text_hash, c.id)
            t.complaint_id = c.id
        session.add_all([t for _, t in pairs])
    return [complaint_out(c, t) for c, t in pairs]


def ingest(db: Database, triage: Triage, items: list[ComplaintIn]) -> list[Intake]:
    """Store and triage new complaints; complaints whose external_id is known come back as they are."""
    results: list[Intake | None] = [None] * len(items)
    with db.session() as session:
        known = _by_external_id(session, {i.external_id for i in items if i.external_id})
    for i, item in enumerate(items):
        if item.external_id in known:
            c, t = known[item.external_id]
            results[i] = Intake("existing", complaint_out(c, t))
    first_new: dict[str, int] = {}
    new_idx, repeats = [], []
    for i, item in enumerate(items):
        if results[i] is not None:
            continue
        if item.external_id and item.external_id in first_new:
            repeats.append(i)  # same external_id twice in one batch: the second is "existing"
            continue
        if item.external_id:
            first_new[item.external_id] = i
        new_idx.append(i)
    if new_idx:
        new_items = [items[i] for i in new_idx]
        outcomes = triage.triage([TriageInput(it.text, it.kecamatan, it.kelurahan, it.submitted_at, it.address) for it in new_items])
        try:
            stored = [Intake("created", c) for c in _store(db, triage, new_items, outcomes)]
        except IntegrityError:
            # another process stored one of these external ids meanwhile: one transaction per item
            stored = [_store_one(db, triage, it, o) for it, o in zip(new_items, outcomes)]
        for i, res in zip(new_idx, stored):
            results[i] = res
        created = [(res.complaint["id"], items[i]) for i, res in zip(new_idx, stored) if res.status == "created"]
        triage.remember([cid for cid, _ in created],
                        [TriageInput(it.text, it.kecamatan, it.kelurahan, it.submitted_at, it.address) for _, it in created])
    for i in repeats:
        results[i] = Intake("existing", results[first_new[items[i].external_id]].complaint)
    return results  # type: ignore[return-value]


def _store_one(db: Database, triage: Triage, item: ComplaintIn, outcome: Outcome) -> Intake:
    try:
        return Intake("created", _store(db, triage, [item], [outcome])[0])
    except IntegrityError:
        with db.session() as session:
            found = _by_external_id(session, {item.external_id} if item.external_id else set())
        if item.external_id not in found:
            raise
        c, t = found[item.external_id]
        return Intake("existing", complaint_out(c, t))


# -- reading -------------------------------------------------------------------------------------
def encode_cursor(received_at: datetime, cid: int) -> str:
    return base64.urlsafe_b64encode(f"{received_at.isoformat()}|{cid}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, cid = raw.split("|")
        ts = datetime.fromisoformat(when)
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=timezone.utc)
        return ts, int(cid)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(422, "invalid_cursor", "Parameter 'cursor' tidak valid; gunakan next_cursor dari halaman "
                                              "sebelumnya.", loc=["query", "cursor"]) from None


def get_complaint(db: Database, cid: int, role: str) -> dict:
    with db.session() as session:
        c = session.get(Complaint, cid)
        if c is None:
            raise not_found()
        t = latest_triage(session, [cid]).get(cid)
        decisions = session.scalars(select(Decision).where(Decision.complaint_id == cid).order_by(Decision.id)).all()
        responses = session.scalars(select(Response).where(Response.complaint_id == cid).order_by(Response.id)).all()
        out = complaint_out(c, t, role)
        out["decisions"] = [decision_out(d) for d in decisions]
        out["responses"] = [response_out(r) for r in responses]
        return out


@dataclass
class ListFilters:
    status: str | None = None
    suggested_opd: str | None = None
    routed_opd: str | None = None
    flagged: bool | None = None
    flag: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None


def list_complaints(db: Database, f: ListFilters, limit: int, cursor: str | None, role: str) -> dict:
    q = select(Complaint)
    if f.status:
        q = q.where(Complaint.status == f.status)
    if f.suggested_opd:
        q = q.where(Complaint.suggested_opd == f.suggested_opd)
    if f.routed_opd:
        q = q.where(Complaint.routed_opd == f.routed_opd)
    if f.flagged is not None:
        q = q.where(Complaint.flagged.is_(f.flagged))
    if f.flag:
        q = q.where(Complaint.flag_categories.contains(f",{f.flag},", autoescape=True))
    if f.date_from:
        q = q.where(Complaint.received_at >= f.date_from)
    if f.date_to:
        q = q.where(Complaint.received_at < f.date_to)
    if cursor:
        ts, cid = decode_cursor(cursor)
        q = q.where(or_(Complaint.received_at < ts, and_(Complaint.received_at == ts, Complaint.id < cid)))
    q = q.order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(limit + 1)
    with db.session() as session:
        rows = session.scalars(q).all()
        more = len(rows) > limit
        rows = rows[:limit]
        triage = latest_triage(session, [c.id for c in rows])
    return {"items": [complaint_out(c, triage.get(c.id), role) for c in rows],
            "next_cursor": encode_cursor(rows[-1].received_at, rows[-1].id) if more and rows else None}


def review_queue(db: Database, reason: str | None, limit: int, cursor: str | None, role: str) -> dict:
    base = select(Complaint).where(Complaint.status.in_(QUEUE_STATUSES))
    if reason:
        base = base.where(cast(Complaint.review_reasons, String).contains(f'"{reason}"'))
    q = base
    if cursor:
        ts, cid = decode_cursor(cursor)
        q = q.where(or_(Complaint.received_at > ts, and_(Complaint.received_at == ts, Complaint.id > cid)))
    q = q.order_by(Complaint.received_at, Complaint.id).limit(limit + 1)
    now = utcnow()
    with db.session() as session:
        size = session.scalar(select(func.count()).select_from(base.subquery()))
        rows = session.scalars(q).all()
        more = len(rows) > limit
        rows = rows[:limit]
        triage = latest_triage(session, [c.id for c in rows])
    items = [{"reasons": list(c.review_reasons or []), "waiting_seconds": max(0.0, (now - c.received_at).total_seconds()),
              "complaint": complaint_out(c, triage.get(c.id), role)} for c in rows]
    return {"queue_size": size, "items": items,
            "next_cursor": encode_cursor(rows[-1].received_at, rows[-1].id) if more and rows else None}


def queue_size(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Complaint).where(Complaint.status.in_(QUEUE_STATUSES)))


# -- decisions and responses ---------------------------------------------------------------------
def _conflict(code: str, detail: str) -> ApiError:
    return ApiError(409, code, detail)


def decide(db: Database, cid: int, body: DecisionIn, operator: str, key_id: int | None) -> dict:
    now = utcnow()
    with db.session(write=True) as session, session.begin():
        c = session.get(Complaint, cid)
        if c is None:
            raise not_found()
        if c.version != body.expected_version:
            raise _conflict("version_conflict",
                            f"Pengaduan ini sudah diubah oleh orang lain (versi sekarang {c.version}, "
                            f"Anda mengirim {body.expected_version}). Muat ulang lalu putuskan lagi.")
        if c.status in (MERGED, RESPONDED):
            raise _conflict("invalid_state", f"Pengaduan berstatus '{c.status}' tidak dapat diputuskan lagi.")
        reasons = [r for r in (c.review_reasons or [])]
        values: dict = {}
        if body.action == "route":
            if c.flagged and not c.flag_cleared:
                raise _conflict("flag_not_cleared", "Pengaduan ini ditandai oleh penyaringan; bersihkan tanda "
                                                    "(clear_flag) dengan catatan sebelum merutekan.")
            reasons = [r for r in reasons if r not in (NOT_AUTO_ROUTED, PROBABLE_DUPLICATE, ESCALATION)]
            values = {"status": ROUTED, "routed_opd": body.opd.strip(), "routed_at": now, "routed_by": operator}
        elif body.action == "merge":
            if body.duplicate_of == cid:
                raise ApiError(422, "invalid_duplicate_of", "duplicate_of: pengaduan tidak dapat menjadi duplikat "
                                                            "dirinya sendiri.", loc=DUP_LOC)
            target = session.get(Complaint, body.duplicate_of)
            if target is None:
                raise ApiError(422, "invalid_duplicate_of", f"duplicate_of: pengaduan {body.duplicate_of} tidak "
                                                            "ditemukan.", loc=DUP_LOC)
            if target.status == MERGED:
                raise ApiError(422, "invalid_duplicate_of",
                               f"duplicate_of: pengaduan {target.id} sendiri sudah digabung ke {target.duplicate_of}; "
                               f"gabungkan ke {target.duplicate_of}.", loc=DUP_LOC)
            reasons = []
            values = {"status": MERGED, "duplicate_of": target.id}
        elif body.action == "clear_flag":
            if not c.flagged or c.flag_cleared:
                raise _conflict("no_flag", "Pengaduan ini tidak memiliki tanda yang perlu dibersihkan.")
            reasons = [r for r in reasons if r != FLAGGED]
            values = {"flag_cleared": True}
            if not reasons:
                # the model was confident and nothing else is outstanding: the operator's clearance routes it
                values.update(status=ROUTED, routed_opd=c.suggested_opd, routed_at=now, routed_by=operator)
            elif ESCALATION not in reasons:
                values["status"] = PENDING_REVIEW
        elif body.action == "escalate":
            if c.status == ESCALATED:
                raise _conflict("invalid_state", "Pengaduan ini sudah dieskalasi.")
            reasons = reasons + [ESCALATION]
            values = {"status": ESCALATED}
        new_status = values.get("status", c.status)
        from_status = c.status
        result = session.execute(
            update(Complaint)
            .where(Complaint.id == cid, Complaint.version == body.expected_version)
            .values(review_reasons=reasons, version=Complaint.version + 1, updated_at=now, **values)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise _conflict("version_conflict", "Pengaduan ini baru saja diubah oleh orang lain. Muat ulang lalu "
                                                "putuskan lagi.")
        decision = Decision(complaint_id=cid, action=body.action, opd=body.opd, suggested_opd=c.suggested_opd,
                            duplicate_of=body.duplicate_of if body.action == "merge" else None, note=body.note,
                            operator_key_id=key_id, operator=operator, from_status=from_status,
                            to_status=new_status, complaint_version=body.expected_version + 1, created_at=now)
        session.add(decision)
        session.flush()
        session.refresh(c)
        t = latest_triage(session, [cid]).get(cid)
        return {"decision": decision_out(decision), "complaint": complaint_out(c, t)}


def record_response(db: Database, cid: int, body: ResponseIn, recorded_by: str) -> dict:
    now = utcnow()
    when = body.responded_at or now
    with db.session(write=True) as session, session.begin():
        c = session.get(Complaint, cid)
        if c is None:
            raise not_found()
        if c.status not in (ROUTED, RESPONDED) or not c.routed_opd:
            raise _conflict("not_routed", "Pengaduan belum dirutekan ke OPD; tanggapan baru dapat dicatat setelah "
                                          "dirutekan.")
        if when < c.received_at:
            raise ApiError(422, "invalid_responded_at", "responded_at: tidak boleh sebelum pengaduan diterima "
                                                        f"({c.received_at.isoformat()}).", loc=["body", "responded_at"])
        first = c.responded_at is None or when < c.responded_at
        values = {"status": RESPONDED, "version": Complaint.version + 1, "updated_at": now}
        if first:
            values["responded_at"] = when
        result = session.execute(update(Complaint).where(Complaint.id == cid, Complaint.version == c.version)
                                 .values(**values).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise _conflict("version_conflict", "Pengaduan ini baru saja diubah oleh orang lain; coba lagi.")
        response = Response(complaint_id=cid, opd=body.opd or c.routed_opd, text=body.text, responded_at=when,
                            recorded_by=recorded_by, created_at=now)
        session.add(response)
        session.flush()
        session.refresh(c)
        t = latest_triage(session, [cid]).get(cid)
        return {"response": response_out(response), "complaint": complaint_out(c, t)}
