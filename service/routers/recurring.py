"""``/v1/recurring``: recurring problems (same problem, same place, over months) and rising topics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from service.masking import masked_group, sees_original
from service.deps import DbDep, Reader, query_text, query_time
from service.errors import not_found
from service.http_errors import ApiError, error_responses
from service.models import MAX_ID
from service.recurring_queries import group_of_complaint, list_groups, rising

router = APIRouter(prefix="/v1", tags=["recurring"])
AUTH_ERRORS = (401, 403, 429)


class UnitCount(BaseModel):
    opd: str
    count: int


class RecurringGroupOut(BaseModel):
    id: int = Field(description="the group's id: the id of its first complaint")
    size: int = Field(description="complaints of the group in the period")
    complaint_ids: list[int] = Field(description="those complaints, oldest first")
    first_at: datetime
    last_at: datetime
    trend: Literal["rising", "steady", "falling"] = Field(
        description="last 30 days against the group's earlier rate (conditional binomial test, p < 0.1)")
    trend_test: dict | None = Field(None, description="recent/baseline counts and days, expected, ratio, p-values")
    label: str = Field(description="the group's most telling words")
    kelurahan: str | None = None
    kecamatan: str | None = None
    units: list[UnitCount] = Field(description="units the complaints were routed (or suggested) to")
    answered: int = Field(description="complaints of the period that have a response")
    size_total: int = Field(description="all complaints of the group up to date_to")
    first_reported_at: datetime


class RecurringPage(BaseModel):
    items: list[RecurringGroupOut]


class RisingTopicOut(BaseModel):
    scope: Literal["opd", "kecamatan"]
    value: str = Field(description="the unit or kecamatan")
    label: str
    recent: int
    baseline: int
    expected: float = Field(description="recent count expected at the baseline rate")
    ratio: float
    p_value: float
    q_value: float = Field(description="Benjamini-Hochberg adjusted p-value")
    complaint_ids: list[int]


class RisingPage(BaseModel):
    items: list[RisingTopicOut]


class ComplaintGroupOut(BaseModel):
    id: int
    ordinal: int = Field(description="this complaint is report number `ordinal` of the group")
    size: int
    first_at: datetime
    last_at: datetime
    label: str
    kelurahan: str | None = None
    kecamatan: str | None = None
    complaint_ids: list[int]


@router.get("/recurring", response_model=RecurringPage, summary="Recurring problems in a period, largest first",
            responses=error_responses(*AUTH_ERRORS))
def recurring(db: DbDep, principal: Reader,
              date_from: Annotated[datetime | None, Query(description="complaints at or after (default: "
                                                                      "180 days before date_to)")] = None,
              date_to: Annotated[datetime | None, Query(description="complaints before (default: now)")] = None,
              opd: Annotated[str | None, Query(max_length=300, description="routed/suggested to this unit")] = None,
              kecamatan: Annotated[str | None, Query(max_length=200)] = None,
              min_size: Annotated[int, Query(ge=2, le=10_000)] = 2,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Any:
    start, end = query_time("date_from", date_from), query_time("date_to", date_to)
    if start and end and start >= end:
        raise ApiError(422, "invalid_query", "date_from: harus sebelum date_to.", loc=["query", "date_from"])
    items = list_groups(db, start, end, query_text("opd", opd), query_text("kecamatan", kecamatan), min_size, limit)
    return {"items": items if sees_original(principal.role) else [masked_group(g) for g in items]}


@router.get("/recurring/rising", response_model=RisingPage,
            summary="Topics rising against their own history, per unit and per kecamatan",
            responses=error_responses(*AUTH_ERRORS))
def rising_topics(db: DbDep, principal: Reader,
                  as_of: Annotated[datetime | None, Query(description="end of the recent period (default now)")] = None,
                  recent_days: Annotated[float, Query(gt=0, le=365)] = 30,
                  baseline_days: Annotated[float, Query(gt=0, le=3650)] = 180,
                  scope: Literal["opd", "kecamatan"] | None = None,
                  min_recent: Annotated[int, Query(ge=1, le=10_000)] = 5,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> Any:
    items = rising(db, query_time("as_of", as_of), recent_days, baseline_days, scope, min_recent, limit)
    return {"items": items if sees_original(principal.role) else [masked_group(t) for t in items]}


@router.get("/complaints/{cid}/recurring", response_model=ComplaintGroupOut,
            summary="The recurring problem a complaint belongs to", responses=error_responses(*AUTH_ERRORS, 404))
def complaint_group(db: DbDep, principal: Reader, cid: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Any:
    found = group_of_complaint(db, cid)
    if found is None:
        raise not_found("Masalah berulang untuk pengaduan ini")
    return found if sees_original(principal.role) else masked_group(found)
