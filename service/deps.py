"""Typed FastAPI dependencies: the database, the triage, the settings, the intake worker, the caller.

Routers declare what they need as ``Annotated`` parameters (``db: DbDep``, ``principal: Operator`` …) instead of
reaching into ``request.app.state``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from service.auth import Principal, require
from service.db import Database
from service.field_types import aware, storable
from service.http_errors import ApiError
from service.ingest import Ingestor
from service.retrain_job import Retrainer
from service.settings import Settings
from service.tenant import Tenant
from service.triage import Triage


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_triage(request: Request) -> Triage:
    return request.app.state.triage


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_ingestor(request: Request) -> Ingestor:
    return request.app.state.ingestor


def get_retrainer(request: Request) -> Retrainer:
    return request.app.state.retrainer


def get_tenant(request: Request) -> Tenant:
    return request.app.state.tenant


DbDep = Annotated[Database, Depends(get_db)]
TriageDep = Annotated[Triage, Depends(get_triage)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
IngestorDep = Annotated[Ingestor, Depends(get_ingestor)]
TenantDep = Annotated[Tenant, Depends(get_tenant)]
RetrainerDep = Annotated[Retrainer, Depends(get_retrainer)]


def get_replies(request: Request) -> list[dict[str, str]]:
    return request.app.state.replies


RepliesDep = Annotated[list[dict[str, str]], Depends(get_replies)]

# roles (service/auth.py): operator, analyst, admin — ``require`` always lets an admin through
Operator = Annotated[Principal, Depends(require("operator"))]  # operator or admin
Reader = Annotated[Principal, Depends(require("operator", "analyst"))]  # any role
Analyst = Annotated[Principal, Depends(require("analyst"))]  # analyst or admin, never a plain operator
Admin = Annotated[Principal, Depends(require())]  # admin only


def query_text(name: str, value: str | None) -> str | None:
    """Query strings must be storable text too (a NUL byte would otherwise reach the database)."""
    try:
        return storable(value)
    except ValueError as exc:
        raise ApiError(422, "invalid_query", f"{name}: {exc}", loc=["query", name]) from None


def query_time(name: str, value: datetime | None) -> datetime | None:
    try:
        return aware(value)
    except ValueError as exc:
        raise ApiError(422, "invalid_query", f"{name}: {exc}", loc=["query", name]) from None


def page_limit(settings: SettingsDep,
               limit: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="page size (default and "
                                                  "largest allowed: LAPOR_DEFAULT_PAGE_SIZE, "
                                                  "LAPOR_MAX_PAGE_SIZE)")] = None) -> int:
    if limit is None:
        return min(settings.default_page_size, settings.max_page_size)
    if limit > settings.max_page_size:
        raise ApiError(422, "invalid_query", f"limit: paling banyak {settings.max_page_size} per halaman.",
                       loc=["query", "limit"])
    return limit


PageLimit = Annotated[int, Depends(page_limit)]
Cursor = Annotated[str | None, Query(max_length=200)]
