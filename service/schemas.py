"""Request and response models of the HTTP API (field names and docs in English)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from service.errors import Invalid
from service.models import MAX_ID


def _storable(value: str | None) -> str | None:
    """Text every database can store: no NUL characters, valid Unicode (no lone surrogates)."""
    if value is None:
        return value
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (lone surrogate found)") from None
    return value


def check_text_length(text: str, limit: int, loc: list) -> None:
    """A complaint or answer text is at most ``limit`` characters: the ``max_text_chars`` setting
    (``LAPOR_MAX_TEXT_CHARS``), the same limit the batch commands apply. A longer one is refused (422)."""
    if len(text) > limit:
        raise Invalid("string_too_long", f"text: teks paling panjang {limit:,} karakter (LAPOR_MAX_TEXT_CHARS); "
                                         f"yang dikirim {len(text):,} karakter.".replace(",", "."), loc)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


def _aware(value: datetime | None) -> datetime | None:
    """Naive means UTC; everything is normalised to UTC."""
    if value is None:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("date is out of range once converted to UTC") from None


SafeStr = Annotated[str, AfterValidator(_storable)]
ShortStr = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_storable)]
UtcDatetime = Annotated[datetime, AfterValidator(_aware)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComplaintIn(Strict):
    """A citizen complaint as submitted by a channel (web form, SMS gateway, LAPOR! export…)."""

    text: Annotated[str, Field(min_length=1, description="the complaint text, as written; at most "
                                                         "LAPOR_MAX_TEXT_CHARS characters (default 20,000)"),
                    AfterValidator(_storable), AfterValidator(_not_blank)]
    external_id: ShortStr | None = Field(None, description="the channel's own id; a retry with the same id returns the "
                                                         "stored complaint (200) instead of creating a second one")
    channel: Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_storable)] = Field(
        "api", description="where the complaint came from, e.g. web, sms, lapor")
    kecamatan: ShortStr | None = None
    kelurahan: ShortStr | None = Field(None, description="kelurahan or desa")
    address: Annotated[str, Field(max_length=500), AfterValidator(_storable)] | None = None
    submitted_at: UtcDatetime | None = Field(None, description="when the citizen submitted it (ISO 8601; UTC if no offset)")
    category: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_storable)] | None = Field(
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


class BatchIn(Strict):
    items: list[dict[str, Any]] = Field(
        min_length=1,
        description="up to LAPOR_BATCH_MAX_ITEMS (default 1,000) complaints, each shaped like the body of "
                    "POST /v1/complaints; "
                    "each is validated on its own",
        json_schema_extra={"items": {"$ref": "#/components/schemas/ComplaintIn"}},
    )


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class BatchItemResult(BaseModel):
    index: int
    status: Literal["created", "existing", "error"]
    complaint: ComplaintOut | None = None
    errors: list[FieldError] | None = None


class BatchOut(BaseModel):
    created: int
    existing: int
    failed: int
    results: list[BatchItemResult]


class ReviewItem(BaseModel):
    reasons: list[Reason]
    waiting_seconds: float
    complaint: ComplaintOut


class ReviewPage(BaseModel):
    queue_size: int
    items: list[ReviewItem]
    next_cursor: str | None


Action = Literal["verify", "route", "forward", "postpone", "archive", "done", "merge", "unmerge", "reopen",
                 "clear_flag", "escalate", "claim", "release"]
UnitName = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_storable), AfterValidator(_not_blank)]
NOTE_REQUIRED = ("clear_flag", "escalate", "forward", "postpone", "archive", "reopen")


class DecisionIn(Strict):
    """An operator's decision; which actions a complaint allows now is in its ``allowed_actions``."""

    action: Action = Field(description="verify (verifikasi), route (disposisi), forward (bukan wewenang → teruskan; "
                                       "also after an answer), postpone (tunda), archive (arsipkan), done "
                                       "(selesai), merge / unmerge, reopen, clear_flag, escalate, claim / release")
    expected_version: int = Field(ge=1, le=2**31 - 1, description="the complaint's version the operator saw")
    opd: UnitName | None = Field(None, description="the lead unit; required for route and forward; must be one "
                                                   "of the tenant's units (else 422)")
    co_opds: list[UnitName] | None = Field(None, max_length=20, description="co-handling units (route, forward)")
    duplicate_of: int | None = Field(None, ge=1, le=MAX_ID, description="required for action=merge")
    note: Annotated[str, Field(max_length=5000), AfterValidator(_storable)] | None = Field(
        None, description="why; required for " + ", ".join(NOTE_REQUIRED))
    assignee: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_storable)] | None = Field(
        None, description="claim: who works on it (default: the caller)")
    force: bool = Field(False, description="claim: take over a complaint another operator has claimed")

    @model_validator(mode="after")
    def _fields_for_action(self):
        if self.action in ("route", "forward") and not self.opd:
            raise ValueError(f"opd is required when action is '{self.action}'")
        if self.action == "merge" and self.duplicate_of is None:
            raise ValueError("duplicate_of is required when action is 'merge'")
        if self.action in NOTE_REQUIRED and not (self.note and self.note.strip()):
            raise ValueError(f"note is required when action is '{self.action}'")
        return self


class DecisionResult(BaseModel):
    decision: DecisionOut
    complaint: ComplaintOut


class ResponseIn(Strict):
    text: Annotated[str, Field(min_length=1, description="at most LAPOR_MAX_TEXT_CHARS characters"),
                    AfterValidator(_storable), AfterValidator(_not_blank)]
    responded_at: UtcDatetime | None = Field(None, description="when the OPD answered (default: now)")
    opd: Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_storable)] | None = Field(
        None, description="the answering OPD (default: the OPD the complaint was routed to)")


class CannedReply(BaseModel):
    title: str
    text: str = Field(description="the reply with {nomor}, {opd}, {wilayah}, {tenggat}, {tanggal} filled in")


class ResponseResult(BaseModel):
    response: ResponseOut
    complaint: ComplaintOut


class PeriodCount(BaseModel):
    period_start: datetime = Field(description="start of the period in the tenant's time zone")
    opd: str | None
    received: int
    responded: int = 0
    time_to_response_median_s: float | None = None
    time_to_response_p90_s: float | None = None


class PeriodTrend(BaseModel):
    period_start: datetime
    received: int
    responded: int
    time_to_response_median_s: float | None
    time_to_response_p90_s: float | None
    answered_within_deadline: float | None


class OpdStats(BaseModel):
    opd: str
    received: int
    routed: int
    responded: int
    time_to_route_median_s: float | None
    time_to_route_p90_s: float | None
    time_to_response_median_s: float | None
    time_to_response_p90_s: float | None
    disposed_within_deadline: float | None = Field(None, description="share disposed within the verification "
                                                                     "deadline")
    answered_within_deadline: float | None = Field(None, description="share answered within the follow-up deadline")


class Totals(BaseModel):
    received: int
    auto_routed: int
    auto_route_rate: float | None
    operator_routed: int
    overridden: int
    override_rate: float | None = Field(description="share of operator route decisions that differ from the suggestion")
    responded: int
    in_review: int


class StatsOut(BaseModel):
    period: Literal["day", "week", "month"]
    date_from: datetime | None
    date_to: datetime | None
    time_zone: str | None = None
    totals: Totals
    periods: list[PeriodCount] = Field(description="complaints received (by submission time) and the time to "
                                                   "answer per period and OPD (lead, else suggested)")
    per_opd: list[OpdStats]
    trend: list[PeriodTrend] = Field(default_factory=list, description="all OPDs together, per period")


class ModelOut(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_version: str
    created_at: str | None
    tenant: str | None
    labels: list[str]
    threshold: float | None
    validation: dict[str, Any] | None
    components: dict[str, bool]


class ErrorOut(BaseModel):
    detail: str = Field(description="message for the operator (Bahasa Indonesia)")
    code: str


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}
