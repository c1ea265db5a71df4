"""``/v1/review``: the queue of complaints that need a human, oldest first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.complaint_schemas import Reason
from service.deps import Cursor, DbDep, Operator, PageLimit, query_text
from service.http_errors import error_responses
from service.queries import review_queue
from service.review_schemas import ReviewPage

router = APIRouter(prefix="/v1/review", tags=["review"])


@router.get("", response_model=ReviewPage, summary="Complaints waiting for an operator, oldest first",
            description="Reasons: `not_auto_routed` (the model was not confident enough), `flagged` (screening), "
                        "`probable_duplicate`, `escalated`.",
            responses=error_responses(401, 403, 429))
def queue(db: DbDep, principal: Operator, limit: PageLimit, reason: Reason | None = None,
          cursor: Cursor = None) -> Any:
    return review_queue(db, reason, limit, query_text("cursor", cursor), principal.role)
