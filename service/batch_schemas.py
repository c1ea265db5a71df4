"""``POST /v1/complaints/batch``: many complaints in one request, one result per item."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from service.complaint_schemas import ComplaintOut
from service.field_types import Strict


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
