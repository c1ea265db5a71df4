"""``GET /v1/review``: the review queue, with why each complaint waits and for how long."""

from __future__ import annotations

from pydantic import BaseModel

from service.complaint_schemas import ComplaintOut, Reason


class ReviewItem(BaseModel):
    reasons: list[Reason]
    waiting_seconds: float
    complaint: ComplaintOut


class ReviewPage(BaseModel):
    queue_size: int
    items: list[ReviewItem]
    next_cursor: str | None
