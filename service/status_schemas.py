"""What every endpoint may answer besides its own model: an error, and the health checks."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    detail: str = Field(description="message for the operator (Bahasa Indonesia)")
    code: str


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}
