"""Domain errors: what went wrong, in words an operator reads (Bahasa Indonesia), with a stable ``code``.

The service's functions (intake, decisions, responses, queries) raise these and know nothing of HTTP;
:mod:`service.http_errors` is the one place that turns them into status codes for the API and the console.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: ``code`` is stable for clients, ``detail`` is for the operator."""

    def __init__(self, code: str, detail: str, loc: list[str | int] | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.loc = loc  # where the bad value is, e.g. ["body", "duplicate_of"]


class NotFound(DomainError):
    """The complaint (or other record) does not exist."""


class Conflict(DomainError):
    """The request is valid but the record's state forbids it (stale version, not allowed in this status)."""


class Invalid(DomainError):
    """A value names something that does not exist or cannot be used (unknown unit, bad cursor, future date)."""


def not_found(what: str = "Pengaduan") -> NotFound:
    return NotFound("not_found", f"{what} tidak ditemukan.")
