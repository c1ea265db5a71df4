"""The one place where errors become HTTP: domain errors → 404/409/422, plus the API's own HTTP errors.

:class:`ApiError` is for conditions that only exist at the HTTP edge (no or bad key, role, rate limit, a bad
query string); everything the service itself refuses is a :class:`service.errors.DomainError`.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.errors import Conflict, DomainError, Invalid, NotFound

log = logging.getLogger(__name__)

STATUS = {NotFound: 404, Conflict: 409, Invalid: 422}
MAX_ERRORS = 20  # validation errors listed per body (or per batch item); error_count says how many there were
MAX_LOC_CHARS = 80  # a field name in `loc` is the client's own key: never echoed longer than this


def _short(value, limit: int) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def bounded_errors(errors: list[dict], prefix: tuple = ()) -> list[dict]:
    """The first :data:`MAX_ERRORS` validation errors as ``{loc, msg, type}``, client keys cut short, no input
    echoed: a body with 80,000 unknown keys gets a small 422, not one line per key."""
    return [{"loc": [p if isinstance(p, int) else _short(p, MAX_LOC_CHARS) for p in (*prefix, *e.get("loc", ()))],
             "msg": _short(e.get("msg", ""), 300), "type": _short(e.get("type", ""), 60)}
            for e in errors[:MAX_ERRORS]]


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None,
                 loc: list[str] | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.loc = loc  # for 422: where the bad value is, e.g. ["query", "cursor"]

    def body(self) -> dict:
        return error_body(self.status, self.code, self.detail, self.loc)


def status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(status: int, code: str, detail: str, loc: list | None = None) -> dict:
    if status == 422:  # same shape as FastAPI's validation errors, so clients parse one format
        return {"detail": [{"loc": loc or ["body"], "msg": detail, "type": code}], "code": code, "message": detail}
    return {"detail": detail, "code": code}


OPEN311_PREFIX = "/open311/"


def open311_error(request: Request, status: int, detail: str, headers: dict[str, str] | None = None):
    """GeoReport v2 errors: a list of ``{code, description}`` (XML for a ``.xml`` path); bad arguments are 400."""
    from service.open311_xml import xml_response

    status = 400 if status == 422 else status
    records = [{"code": status, "description": detail}]
    if request.url.path.endswith(".xml"):
        return xml_response("errors", records, status, headers)
    return JSONResponse(records, status_code=status, headers=headers)


def _is_open311(request: Request) -> bool:
    return request.url.path.startswith(OPEN311_PREFIX)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError):
        status = status_of(exc)
        if _is_open311(request):
            return open311_error(request, status, exc.detail)
        return JSONResponse(error_body(status, exc.code, exc.detail, exc.loc), status_code=status)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        if _is_open311(request):
            return open311_error(request, exc.status, exc.detail, exc.headers)
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        everything = exc.errors()
        errors = bounded_errors(everything)
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:] or e["loc"]) or "body" for e in errors[:5])
        if _is_open311(request):
            return open311_error(request, 400, "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}"
                                                          for e in errors[:5]))
        more = f" (dan {len(everything) - 5:,} lainnya)".replace(",", ".") if len(everything) > 5 else ""
        return JSONResponse({"detail": errors, "code": "validation_error", "error_count": len(everything),
                             "message": f"Data tidak valid pada: {fields}{more}."}, status_code=422)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_unavailable(request: Request, exc: Exception):
        log.error("database unavailable: %s", exc)
        return JSONResponse({"detail": "Basis data sedang tidak tersedia; coba lagi sebentar lagi.",
                             "code": "database_unavailable"}, status_code=503, headers={"Retry-After": "1"})


def error_responses(*statuses: int) -> dict:
    """OpenAPI ``responses=`` entries for the given error statuses."""
    from service.status_schemas import ErrorOut

    text = {401: "missing or invalid API key", 403: "role not allowed", 404: "not found",
            409: "conflict (stale expected_version or invalid state)", 413: "body too large",
            429: "rate limit exceeded", 503: "not ready"}
    return {s: {"model": ErrorOut, "description": text.get(s, "error")} for s in statuses}
