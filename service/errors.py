"""API errors with a stable ``code`` and an operator-facing message in Bahasa Indonesia."""

from __future__ import annotations


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
        if self.status == 422:  # same shape as FastAPI's validation errors, so clients parse one format
            return {"detail": [{"loc": self.loc or ["body"], "msg": self.detail, "type": self.code}],
                    "code": self.code, "message": self.detail}
        return {"detail": self.detail, "code": self.code}


def not_found(what: str = "Pengaduan") -> ApiError:
    return ApiError(404, "not_found", f"{what} tidak ditemukan.")


def error_responses(*statuses: int) -> dict:
    """OpenAPI ``responses=`` entries for the given error statuses."""
    from service.schemas import ErrorOut

    text = {401: "missing or invalid API key", 403: "role not allowed", 404: "not found",
            409: "conflict (stale expected_version or invalid state)", 413: "body too large",
            429: "rate limit exceeded", 503: "not ready"}
    return {s: {"model": ErrorOut, "description": text.get(s, "error")} for s in statuses}
