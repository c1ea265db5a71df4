"""Complaints in the HTTP API: what a channel submits (``ComplaintIn``) and what comes back (a complaint with its
triage, its decisions and answers, pages of complaints)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from service.field_types import ShortStr, Strict, UtcDatetime, not_blank, storable


class ComplaintIn(Strict):
    """A citizen complaint as submitted by a channel (web form, SMS gateway, LAPOR! export…)."""

    text: Annotated[str, Field(min_length=1, description="the complaint text, as written; at most "
                                                         "LAPOR_MAX_TEXT_CHARS characters (default 20,000)"),
                    AfterValidator(storable), AfterValidator(not_blank)]
    external_id: ShortStr | None = Field(None, description="the channel's own id; a retry with the same id returns the "
                                                         "stored complaint (200) instead of creating a second one")
    channel: Annotated[str, Field(min_length=1, max_length=50), AfterValidator(storable)] = Field(
        "api", description="where the complaint came from, e.g. web, sms, lapor")
    kecamatan: ShortStr | None = None
    kelurahan: ShortStr | None = Field(None, description="kelurahan or desa")
    address: Annotated[str, Field(max_length=500), AfterValidator(storable)] | None = None
    submitted_at: UtcDatetime | None = Field(None, description="when the citizen submitted it (ISO 8601; UTC if no offset)")
    category: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(storable)] | None = Field(
        None, description="LAPOR! classification, e.g. pengaduan, aspirasi, permintaan informasi (deadlines may "
                          "differ per category)")
    confidential: bool = Field(False, description="LAPOR! 'rahasia': the report is never published (left out of "
                                                  "Open311)")
    anonymous: bool = Field(False, description="LAPOR! 'anonim': the reporter's identity is withheld (left out of "
                                               "Open311)")


class Suggestion(BaseModel):
    opd: str
    p: float


class Term(BaseModel):
    term: str
    weight: float


class Flags(BaseModel):
    flagged: bool = False
    categories: list[str] | None = None
    evidence: Any = None
    reason: str | None = None


class DuplicateCandidate(BaseModel):
    complaint_id: int
    score: float
    method: str | None = None


class TriageOut(BaseModel):
    model_version: str
    suggested_opd: str | None
    confidence: float
    auto_route: bool
    top_k: list[Suggestion]
    explanation: str = Field(description="why, for the operator (Bahasa Indonesia)")
    terms: list[Term]
    area: dict[str, str] | None
    flags: Flags | None = Field(None, description="screening result; null when no screener is installed")
    duplicate_candidates: list[DuplicateCandidate]
    created_at: datetime


Status = Literal["pending_review", "verified", "routed", "escalated", "postponed", "merged", "responded", "done",
                 "archived"]
Reason = Literal["not_auto_routed", "flagged", "probable_duplicate", "escalated"]


class ComplaintOut(BaseModel):
    id: int
    external_id: str | None
    channel: str
    text: str | None = Field(description="original text; null for the analyst role (see masked_text)")
    masked_text: str = Field(description="decoded text with personal data masked ([NIK], [TELEPON], …)")
    kecamatan: str | None
    kelurahan: str | None
    address: str | None
    submitted_at: datetime | None
    received_at: datetime
    status: Status
    review_reasons: list[Reason]
    suggested_opd: str | None
    confidence: float | None
    auto_routed: bool
    flagged: bool
    flag_categories: list[str]
    flag_cleared: bool
    routed_opd: str | None = Field(description="the OPD the complaint was routed to (by the model or an operator)")
    routed_at: datetime | None
    routed_by: str | None
    co_opds: list[str] = Field(description="co-handling OPDs of the disposition (the lead is routed_opd)")
    duplicate_of: int | None
    responded_at: datetime | None
    category: str | None = None
    reported_at: datetime | None = Field(None, description="submitted_at, else received_at: what statistics count")
    stage: Literal["verification", "follow_up"] | None = Field(
        None, description="the stage whose deadline runs: verification (before disposition) or follow_up (the OPD)")
    due_at: datetime | None = Field(None, description="deadline of the current stage (end of the last working day "
                                                      "in the tenant's time zone); null when no deadline runs")
    overdue: bool = False
    overdue_3x: bool = Field(False, description="open three times as long as the stage allows")
    assignee: str | None = Field(None, description="the operator working on it (claim)")
    assigned_at: datetime | None = None
    status_note: str | None = Field(None, description="the note of the last decision (e.g. why it is postponed)")
    allowed_actions: list[str] = Field(default_factory=list, description="decisions the workflow allows now")
    confidential: bool = Field(False, description="rahasia: never published (Open311 leaves it out)")
    anonymous: bool = Field(False, description="anonim: the reporter's identity is withheld")
    version: int = Field(description="send it back as expected_version with a decision")
    triage: TriageOut | None


class DecisionOut(BaseModel):
    id: int
    complaint_id: int
    action: str
    opd: str | None
    co_opds: list[str] | None = None
    suggested_opd: str | None
    duplicate_of: int | None
    note: str | None
    operator: str
    from_status: str
    to_status: str
    complaint_version: int
    created_at: datetime


class ResponseOut(BaseModel):
    id: int
    complaint_id: int
    opd: str | None
    text: str
    responded_at: datetime
    recorded_by: str
    created_at: datetime
    source_complaint_id: int | None = Field(None, description="set when the answer was given to the complaint this "
                                                             "one is merged into")


class ComplaintDetail(ComplaintOut):
    decisions: list[DecisionOut]
    responses: list[ResponseOut]


class ComplaintPage(BaseModel):
    items: list[ComplaintOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last page")
