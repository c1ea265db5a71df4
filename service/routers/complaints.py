"""``/v1/complaints``: intake (single and batch), reading, listing, decisions and responses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import ValidationError

from service.batch_schemas import BatchIn, BatchOut
from service.complaint_schemas import ComplaintDetail, ComplaintIn, ComplaintOut, ComplaintPage, Status
from service.decision_schemas import CannedReply, DecisionIn, DecisionResult, ResponseIn, ResponseResult
from service.decisions import decide, record_response
from service.deps import (
    Cursor,
    DbDep,
    IngestorDep,
    Operator,
    PageLimit,
    Reader,
    RepliesDep,
    TriageDep,
    SettingsDep,
    TenantDep,
    query_text,
    query_time,
)
from service.errors import Invalid
from service.field_types import check_text_length
from service.http_errors import ApiError, bounded_errors, error_responses
from service.models import MAX_ID, utcnow
from service.queries import ListFilters, get_complaint, list_complaints
from service.replies import replies_for
from service.status_schemas import ErrorOut

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])

ComplaintId = Annotated[int, Path(ge=1, le=MAX_ID, description="complaint id")]
AUTH_ERRORS = (401, 403, 429)


@router.post("", status_code=201, response_model=ComplaintOut,
             summary="Submit one complaint; it is stored and triaged",
             responses={200: {"model": ComplaintOut, "description": "a complaint with this channel and external_id "
                                                                    "and the same text exists; it is returned unchanged"},
                        409: {"model": ErrorOut, "description": "this channel's external_id is taken by a complaint "
                                                                "with another text (the detail names it)"},
                        **error_responses(*AUTH_ERRORS, 413)})
async def create_complaint(body: ComplaintIn, response: Response, ingestor: IngestorDep, settings: SettingsDep,
                           principal: Operator) -> Any:
    check_text_length(body.text, settings.max_text_chars, ["body", "text"])
    result = (await ingestor.submit([body]))[0]
    if result.error is not None:  # 409: this channel's external_id names another complaint
        raise result.error
    if result.status == "existing":
        response.status_code = 200
    return result.complaint


@router.post("/batch", response_model=BatchOut,
             summary="Submit up to 1,000 complaints; each item succeeds or fails on its own",
             responses=error_responses(*AUTH_ERRORS, 413))
async def create_batch(body: BatchIn, ingestor: IngestorDep, settings: SettingsDep, principal: Operator) -> Any:
    if len(body.items) > settings.batch_max_items:
        raise ApiError(422, "too_many_items", f"items: paling banyak {settings.batch_max_items} pengaduan per "
                                              f"permintaan (dikirim {len(body.items)}).", loc=["body", "items"])
    results: list[dict | None] = [None] * len(body.items)
    valid: list[tuple[int, ComplaintIn]] = []
    for i, raw in enumerate(body.items):
        try:
            item = ComplaintIn.model_validate(raw)
            check_text_length(item.text, settings.max_text_chars, ["items", i, "text"])
            valid.append((i, item))
        except ValidationError as exc:
            results[i] = {"index": i, "status": "error", "errors": bounded_errors(exc.errors(), ("items", i))}
        except Invalid as exc:
            results[i] = {"index": i, "status": "error", "errors": [{"loc": exc.loc, "msg": exc.detail,
                                                                     "type": exc.code}]}
    if valid:
        stored = await ingestor.submit([c for _, c in valid])
        for (i, _), res in zip(valid, stored):
            if res.error is not None:
                results[i] = {"index": i, "status": "error", "errors": [
                    {"loc": ["items", i, "external_id"], "msg": res.error.detail, "type": res.error.code}]}
            else:
                results[i] = {"index": i, "status": res.status, "complaint": res.complaint}
    counts = {s: sum(1 for r in results if r["status"] == s) for s in ("created", "existing", "error")}
    return {"created": counts["created"], "existing": counts["existing"], "failed": counts["error"],
            "results": results}


@router.get("/{complaint_id}", response_model=ComplaintDetail, summary="One complaint with triage, decisions, responses",
            responses=error_responses(*AUTH_ERRORS, 404))
def read_complaint(complaint_id: ComplaintId, db: DbDep, principal: Reader) -> Any:
    return get_complaint(db, complaint_id, principal.role)


@router.get("", response_model=ComplaintPage, summary="List complaints, newest first (cursor pagination)",
            responses=error_responses(*AUTH_ERRORS))
def list_all(db: DbDep, principal: Reader, limit: PageLimit, tenant: TenantDep,
             status: Status | None = None,
             suggested_opd: Annotated[str | None, Query(max_length=300)] = None,
             routed_opd: Annotated[str | None, Query(max_length=300, description="the decided OPD")] = None,
             flagged: bool | None = None,
             flag: Annotated[str | None, Query(max_length=100, description="a screening category")] = None,
             date_from: Annotated[datetime | None, Query(description="received at or after (ISO 8601)")] = None,
             date_to: Annotated[datetime | None, Query(description="received before (ISO 8601)")] = None,
             q: Annotated[str | None, Query(max_length=300, description="full-text search: every word, as a "
                                                                        "prefix, in the text, area or address")] = None,
             opd: Annotated[str | None, Query(max_length=300, description="lead or co-handling OPD (else the "
                                                                          "suggestion)")] = None,
             area: Annotated[str | None, Query(max_length=200, description="kecamatan or kelurahan")] = None,
             reported_from: Annotated[datetime | None, Query(description="submitted (else received) at or "
                                                                         "after")] = None,
             reported_to: Annotated[datetime | None, Query(description="submitted (else received) before")] = None,
             deadline: Annotated[Literal["due_today", "overdue", "overdue_3x"] | None,
                                 Query(description="current stage due today (tenant time), overdue, or open "
                                                   "three times as long as allowed")] = None,
             assignee: Annotated[str | None, Query(max_length=200, description="claimed by")] = None,
             cursor: Cursor = None) -> Any:
    now = utcnow()
    filters = ListFilters(status=status, suggested_opd=query_text("suggested_opd", suggested_opd),
                          routed_opd=query_text("routed_opd", routed_opd), flagged=flagged,
                          flag=query_text("flag", flag), date_from=query_time("date_from", date_from),
                          date_to=query_time("date_to", date_to), q=query_text("q", q), opd=query_text("opd", opd),
                          area=query_text("area", area), reported_from=query_time("reported_from", reported_from),
                          reported_to=query_time("reported_to", reported_to), deadline=deadline,
                          assignee=query_text("assignee", assignee), now=now,
                          today_end=tenant.calendar.end_of_day(tenant.calendar.local_day(now)))
    return list_complaints(db, filters, limit, query_text("cursor", cursor), principal.role)


@router.post("/{complaint_id}/decision", response_model=DecisionResult,
             summary="A decision in LAPOR! terms: verify, dispose (route) to a lead and co-handling OPDs, forward, "
                     "postpone, archive, done, merge/unmerge, reopen, clear a flag, escalate, claim/release",
             description="Send the complaint's `version` as `expected_version`. If someone else decided in the "
                         "meantime the answer is 409 and nothing is changed.",
             responses=error_responses(*AUTH_ERRORS, 404, 409))
def make_decision(complaint_id: ComplaintId, body: DecisionIn, db: DbDep, tenant: TenantDep,
                  principal: Operator, triage: TriageDep) -> Any:
    return decide(db, tenant, complaint_id, body, principal.name, principal.key_id,
                  getattr(triage, "learn", None))


@router.get("/{complaint_id}/replies", response_model=list[CannedReply],
            summary="Canned replies for this complaint's status and category, placeholders filled in",
            responses=error_responses(*AUTH_ERRORS, 404))
def canned_replies(complaint_id: ComplaintId, db: DbDep, tenant: TenantDep, replies: RepliesDep,
                   principal: Operator) -> Any:
    return replies_for(replies, get_complaint(db, complaint_id, principal.role), tenant.calendar)


@router.post("/{complaint_id}/response", response_model=ResponseResult, status_code=201,
             summary="Record the OPD's follow-up (tindak lanjut); it also reaches complaints merged into this one",
             responses=error_responses(*AUTH_ERRORS, 404, 409))
def add_response(complaint_id: ComplaintId, body: ResponseIn, db: DbDep, tenant: TenantDep, settings: SettingsDep,
                 principal: Operator) -> Any:
    check_text_length(body.text, settings.max_text_chars, ["body", "text"])
    return record_response(db, tenant, complaint_id, body, principal.name)
