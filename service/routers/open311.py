"""``/open311/v2``: Open311 GeoReport v2, read-only — services (the tenant's units) and service requests.

Readable with any valid API key, as ``?api_key=`` (GeoReport's way) or the usual ``Authorization: Bearer``
header; ``LAPOR_OPEN311_PUBLIC=true`` opens it without a key. Each path has a ``.json`` and a ``.xml`` form.
Errors come as GeoReport lists, ``[{"code": 400, "description": "…"}]`` (see :mod:`service.http_errors`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials

from service import open311
from service.auth import Principal, authenticate, bearer
from service.deps import DbDep, SettingsDep, TenantDep, query_time
from service.errors import Invalid
from service.http_errors import ApiError
from service.open311_schemas import Open311Error, Open311Request, Open311Service
from service.open311_xml import xml_response

router = APIRouter(prefix="/open311/v2", tags=["open311"])

Format = Annotated[Literal["json", "xml"], Path(description="json or xml")]
ERRORS = {s: {"model": list[Open311Error], "description": d} for s, d in
          ((400, "bad argument"), (401, "missing or invalid API key"), (404, "not found"), (429, "rate limit"))}


def open311_reader(request: Request, settings: SettingsDep,
                   api_key: Annotated[str | None, Query(max_length=200, description="an API key (GeoReport's "
                                                        "way; the Authorization header works too)")] = None,
                   credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal | None:
    key = api_key or (credentials.credentials if credentials else None)
    if not key:
        if settings.open311_public:
            return None
        raise ApiError(401, "unauthenticated", "Kunci API diperlukan: tambahkan ?api_key=<kunci> atau header "
                                               "'Authorization: Bearer <kunci>'.", {"WWW-Authenticate": "Bearer"})
    return authenticate(request, key, None)


Reader = Annotated[Principal | None, Depends(open311_reader)]


def _services(request: Request, tenant) -> list[open311.Service]:
    cached = getattr(request.app.state, "open311_services", None)
    if cached is None:
        cached = open311.load_services(tenant, request.app.state.settings.served_tenant_dir)
        request.app.state.open311_services = cached
    return cached


def _answer(fmt: str, root: str, records: list[dict]) -> Any:
    return xml_response(root, records) if fmt == "xml" else records


def _split(name: str, value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise Invalid("invalid_query", f"{name}: kosong.", ["query", name])
    return items


@router.get("/services.{fmt}", response_model=list[Open311Service], summary="GeoReport services: the tenant's units",
            responses=ERRORS)
def services(fmt: Format, request: Request, tenant: TenantDep, reader: Reader) -> Any:
    return _answer(fmt, "services", [vars(s) for s in _services(request, tenant)])


@router.get("/requests.{fmt}", response_model=list[Open311Request],
            summary="GeoReport service requests (complaints), newest first: the last 90 days and at most 1,000 "
                    "unless filtered; confidential and anonymous complaints are left out",
            responses=ERRORS)
def requests(fmt: Format, request: Request, db: DbDep, tenant: TenantDep, reader: Reader,
             service_request_id: Annotated[str | None, Query(max_length=2000, description="comma-separated ids; "
                                                             "the other filters are then ignored")] = None,
             service_code: Annotated[str | None, Query(max_length=2000, description="comma-separated")] = None,
             start_date: Annotated[datetime | None, Query(description="W3C date-time, e.g. "
                                                          "2026-01-01T00:00:00+08:00")] = None,
             end_date: Annotated[datetime | None, Query(description="at most 90 days after start_date")] = None,
             status: Annotated[str | None, Query(max_length=20, description="open, closed or open,closed")] = None,
             jurisdiction_id: Annotated[str | None, Query(max_length=200, description="ignored: one "
                                                          "jurisdiction per server")] = None) -> Any:
    q = open311.RequestQuery(start=query_time("start_date", start_date), end=query_time("end_date", end_date))
    ids = _split("service_request_id", service_request_id)
    if ids is not None:
        if not all(i.isdigit() and len(i) < 19 for i in ids):
            raise Invalid("invalid_query", "service_request_id: harus berupa nomor laporan.",
                          ["query", "service_request_id"])
        q.ids = [int(i) for i in ids]
    codes = _split("service_code", service_code)
    if codes is not None:
        by_code = {s.service_code: s.service_name for s in _services(request, tenant)}
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise Invalid("unknown_service_code", f"service_code: '{unknown[0]}' tidak dikenal (lihat "
                                                  "services.json).", ["query", "service_code"])
        q.units = [by_code[c] for c in codes]
    q.statuses = _split("status", status)
    if q.statuses and not set(q.statuses) <= {open311.OPEN, open311.CLOSED}:
        raise Invalid("invalid_query", "status: pilih open, closed, atau keduanya.", ["query", "status"])
    return _answer(fmt, "service_requests", open311.find_requests(db, tenant, q))


@router.get("/requests/{service_request_id}.{fmt}", response_model=list[Open311Request],
            summary="One GeoReport service request (a list of one, as the specification returns it)",
            responses=ERRORS)
def one_request(service_request_id: Annotated[int, Path(ge=1, le=2**62)], fmt: Format, db: DbDep,
                tenant: TenantDep, reader: Reader) -> Any:
    return _answer(fmt, "service_requests", open311.get_request(db, tenant, service_request_id))
