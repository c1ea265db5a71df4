"""Rows → the dicts the API returns (and the console renders): one serialiser per record type."""

from __future__ import annotations

from datetime import datetime, timezone

from service.masking import masked, masked_flags, masked_top_k, masked_tree, sees_original
from service.models import Complaint, Decision, Response, TriageResult
from service.workflow import allowed_actions


def triage_out(t: TriageResult | None, role: str = "operator") -> dict | None:
    if t is None:
        return None
    original = sees_original(role)  # analysts: unit and area names as typed are masked too (service.masking)
    return {
        "model_version": t.model_version, "suggested_opd": t.suggested_opd if original else masked(t.suggested_opd),
        "confidence": t.confidence, "auto_route": t.auto_route,
        "top_k": t.top_k if original else masked_top_k(t.top_k),
        "explanation": t.explanation if original else masked(t.explanation), "terms": t.terms,
        "area": t.area if original else masked_tree(t.area), "flags": t.flags if original else masked_flags(t.flags),
        "duplicate_candidates": t.duplicate_candidates,
        "created_at": t.created_at,
    }


def complaint_out(c: Complaint, t: TriageResult | None, role: str = "operator", *,
                  now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    shown = _shown(role)  # analysts: every free text masked (service.masking)
    return {
        "id": c.id, "external_id": shown(c.external_id), "channel": c.channel,
        "text": c.text if sees_original(role) else None, "masked_text": c.masked_text,
        "kecamatan": shown(c.kecamatan), "kelurahan": shown(c.kelurahan), "address": shown(c.address),
        "submitted_at": c.submitted_at, "received_at": c.received_at, "status": c.status,
        "review_reasons": list(c.review_reasons or []), "suggested_opd": shown(c.suggested_opd),
        "confidence": c.confidence, "auto_routed": c.auto_routed, "flagged": c.flagged,
        "flag_categories": [x for x in (c.flag_categories or "").split(",") if x],
        "flag_cleared": c.flag_cleared, "routed_opd": shown(c.routed_opd), "routed_at": c.routed_at,
        "routed_by": c.routed_by, "co_opds": [shown(u) for u in c.co_opds or []], "duplicate_of": c.duplicate_of,
        "responded_at": c.responded_at, "category": c.category, "reported_at": c.reported_at,
        "stage": c.stage, "due_at": c.due_at,
        "overdue": bool(c.due_at is not None and c.due_at < now),
        "overdue_3x": bool(c.overdue3_at is not None and c.overdue3_at < now),
        "assignee": c.assignee, "assigned_at": c.assigned_at, "status_note": shown(c.status_note),
        "allowed_actions": allowed_actions(c.status),
        "confidential": bool(c.confidential), "anonymous": bool(c.anonymous),
        "version": c.version, "triage": triage_out(t, role),
    }


def decision_out(d: Decision, role: str = "operator") -> dict:
    out = {k: getattr(d, k) for k in ("id", "complaint_id", "action", "opd", "co_opds", "suggested_opd",
                                     "duplicate_of", "note", "operator", "from_status", "to_status",
                                     "complaint_version", "created_at")}
    shown = _shown(role)
    out["note"], out["opd"], out["suggested_opd"] = shown(d.note), shown(d.opd), shown(d.suggested_opd)
    out["co_opds"] = [shown(u) for u in d.co_opds] if d.co_opds else d.co_opds
    return out


def response_out(r: Response, role: str = "operator") -> dict:
    out = {k: getattr(r, k) for k in ("id", "complaint_id", "opd", "text", "responded_at", "recorded_by",
                                     "created_at", "source_complaint_id")}
    out["text"] = _shown(role)(r.text)
    return out


def _shown(role: str):
    return _as_is if sees_original(role) else masked


def _as_is(value):
    return value
