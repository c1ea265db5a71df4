"""Intake: triage new complaints, persist them with their triage result in one transaction, remember them.

``ingest`` is the one intake path — ``POST /v1/complaints``, the batch endpoint, the console's walk-in form
and ``db seed-demo`` all call it (the API through :class:`service.ingest.Ingestor`'s micro-batches).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from pipeline.dedup import ComplaintFeatures
from pipeline.triage import TriageItem

from service import repository as repo
from service import stats_daily
from service.complaint_schemas import ComplaintIn
from service.db import Database
from service.deadlines import stage_values
from service.duplicates import store_features
from service.errors import Conflict
from service.models import PENDING_REVIEW, ROUTED, Complaint, TriageResult, utcnow
from service.recurring import file_stored
from service.stats_daily import facts_of
from service.tenant import Tenant
from service.triage import Outcome, Triage, outcome_of
from service.views import complaint_out
from service.workflow import MODEL_ROUTER


@dataclass
class Intake:
    status: str  # "created" | "existing" | "conflict" (same channel and external_id, another text)
    complaint: dict
    error: Conflict | None = None


def _item(item: ComplaintIn) -> TriageItem:
    return TriageItem(item.text, item.kelurahan or "", item.kecamatan or "", item.address or "", item.submitted_at)


def _deadline(tenant: Tenant, c: Complaint, now: datetime) -> None:
    """The complaint's current stage and deadline: verification from submission, follow-up from routing."""
    started = c.routed_at if c.status == ROUTED else c.reported_at
    values = stage_values(tenant, c.status, started, c.routed_opd, c.category)
    for k, v in values.items():
        setattr(c, k, v)
    if c.status == ROUTED:
        c.disposed_within = now <= tenant.due("verification", c.reported_at, category=c.category)
    else:
        c.disposed_within = None


def _new_rows(item: ComplaintIn, outcome: Outcome, now: datetime, duplicate_threshold: float,
              exact: list[int], tenant: Tenant) -> tuple[Complaint, TriageResult]:
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
        reported_at=item.submitted_at or now, category=item.category, co_opds=[],
        confidential=item.confidential, anonymous=item.anonymous,
    )
    _deadline(tenant, complaint, now)
    result = TriageResult(
        model_version=outcome.model_version, suggested_opd=outcome.suggested_opd, confidence=outcome.confidence,
        auto_route=outcome.auto_route, top_k=outcome.top_k, explanation=outcome.explanation, terms=outcome.terms,
        area=outcome.area, flags=outcome.flags, duplicate_candidates=candidates, created_at=now,
        score_features=outcome.score_features,
    )
    return complaint, result


def _store(db: Database, tenant: Tenant, threshold: float, items: list[ComplaintIn], outcomes: list[Outcome],
           features: list[ComplaintFeatures]) -> list[dict]:
    """Insert complaints with their triage results, near-duplicate features and statistics in ONE transaction;
    return their API dicts."""
    now = utcnow()
    with db.session(write=True) as session, session.begin():
        exact = repo.exact_duplicates(session, {o.text_hash for o in outcomes}, now)
        pairs = [_new_rows(item, o, now, threshold, exact.get(o.text_hash, []), tenant)
                 for item, o in zip(items, outcomes)]
        session.add_all([c for c, _ in pairs])
        session.flush()
        # duplicates within this batch, exact (same text) or near (the pair model): the later one points at
        # the earlier one, and goes to review when the score reaches the threshold
        first: dict[str, int] = {}
        for (c, t), o in zip(pairs, outcomes):
            found = [{"complaint_id": first[o.text_hash], "score": 1.0, "method": "exact"}] if o.text_hash in first \
                else []
            found += [{"complaint_id": pairs[i][0].id, "score": round(s, 4), "method": "batch"}
                      for i, s in o.batch_duplicates if i < len(pairs) and pairs[i][0].id != c.id]
            if found:
                _with_batch_candidates(tenant, threshold, c, t, o, found, now)
            first.setdefault(o.text_hash, c.id)
            t.complaint_id = c.id
        session.add_all([t for _, t in pairs])
        store_features(session, [c.id for c, _ in pairs], features)
        stats_daily.apply(session, tenant.calendar.tz, [(None, facts_of(c)) for c, _ in pairs])
    return [complaint_out(c, t) for c, t in pairs]


def _with_batch_candidates(tenant: Tenant, threshold: float, c: Complaint, t: TriageResult, o: Outcome,
                           found: list[dict], now: datetime) -> None:
    """Put earlier items of the batch first among the candidates; a probable duplicate is not auto-routed."""
    merged: dict[int, dict] = {}
    for d in found + list(t.duplicate_candidates):
        merged.setdefault(d["complaint_id"], d)  # the first word on a complaint wins (exact before near)
    t.duplicate_candidates = sorted(merged.values(), key=lambda d: (d["method"] != "exact", -d["score"]))
    o.duplicate_candidates = t.duplicate_candidates
    reasons = o.review_reasons(threshold)
    if reasons != c.review_reasons:
        c.review_reasons, c.status, c.auto_routed = reasons, PENDING_REVIEW, False
        c.routed_opd = c.routed_at = c.routed_by = None
        _deadline(tenant, c, now)


def _key(item: ComplaintIn) -> tuple[str, str] | None:
    return (item.channel, item.external_id) if item.external_id else None


def _same_complaint(stored: Complaint, item: ComplaintIn) -> bool:
    """A retry sends the same text; another text under the same key is another complaint, never swallowed."""
    return stored.text.strip() == item.text.strip()


def _known(item: ComplaintIn, c: Complaint, t: TriageResult | None) -> Intake:
    if _same_complaint(c, item):
        return Intake("existing", complaint_out(c, t))
    return Intake("conflict", complaint_out(c, t), error=key_conflict(item, c.id))


def key_conflict(item: ComplaintIn, stored_id: int) -> Conflict:
    return Conflict("external_id_conflict",
                    f"external_id '{item.external_id}' dari kanal '{item.channel}' sudah dipakai pengaduan "
                    f"#{stored_id} dengan teks lain; kirim dengan external_id lain bila ini pengaduan baru.",
                    loc=["body", "external_id"])


def _store_one(db: Database, tenant: Tenant, threshold: float, item: ComplaintIn, outcome: Outcome,
               features: ComplaintFeatures) -> Intake:
    outcome.batch_duplicates = []  # stored alone: positions in the batch mean nothing here
    try:
        return Intake("created", _store(db, tenant, threshold, [item], [outcome], [features])[0])
    except IntegrityError:
        with db.session() as session:
            found = repo.by_external_id(session, {_key(item)} if item.external_id else set())
        if _key(item) not in found:
            raise
        return _known(item, *found[_key(item)])


def ingest(db: Database, triage: Triage, items: list[ComplaintIn], tenant: Tenant) -> list[Intake]:
    """Store and triage new complaints. A known ``(channel, external_id)`` with the same text comes back as it
    is ("existing"); with another text it is a "conflict" naming the stored complaint (nothing is stored)."""
    results: list[Intake | None] = [None] * len(items)
    with db.session() as session:
        known = repo.by_external_id(session, {_key(i) for i in items if i.external_id})
    for i, item in enumerate(items):
        if _key(item) in known:
            results[i] = _known(item, *known[_key(item)])
    first_new: dict[tuple[str, str], int] = {}
    new_idx, repeats = [], []
    for i, item in enumerate(items):
        if results[i] is not None:
            continue
        if item.external_id and _key(item) in first_new:
            repeats.append(i)  # same key twice in one batch: the second is "existing" (or a conflict)
            continue
        if item.external_id:
            first_new[_key(item)] = i
        new_idx.append(i)
    if new_idx:
        new_items = [items[i] for i in new_idx]
        core = triage.core_for(tenant)
        batch = [_item(it) for it in new_items]
        analysed = core.run(batch)  # triage: each text analysed once (one Document), by the pipeline's core
        outcomes = [outcome_of(r) for r in analysed]
        features = [core.features(b, r.document) for b, r in zip(batch, analysed)]  # from that same Document
        threshold = triage.duplicate_threshold
        try:  # persist
            stored = [Intake("created", c) for c in _store(db, tenant, threshold, new_items, outcomes, features)]
        except IntegrityError:
            # another process stored one of these external ids meanwhile: one transaction per item
            stored = [_store_one(db, tenant, threshold, it, o, f) for it, o, f in zip(new_items, outcomes, features)]
        for i, res in zip(new_idx, stored):
            results[i] = res
        created = [(res.complaint["id"], f) for res, f in zip(stored, features) if res.status == "created"]
        triage.remember(created)  # remember
        file_stored(db, [cid for cid, _ in created])  # recurring-problem groups
    for i in repeats:
        first = items[first_new[_key(items[i])]]
        stored = results[first_new[_key(items[i])]].complaint
        if first.text.strip() == items[i].text.strip():
            results[i] = Intake("existing", stored)
        else:
            results[i] = Intake("conflict", stored, error=key_conflict(items[i], stored["id"]))
    return results  # type: ignore[return-value]
