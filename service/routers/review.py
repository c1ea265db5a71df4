"""``/v1/review``: the queue of complaints that need a human, oldest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from service.auth import Principal, require
from service.errors import error_responses
from service.routers.complaints import query_text
from service.schemas import Reason, ReviewPage
from service.store import review_queue

router = APIRouter(prefix="/v1/review", tags=["review"])


@router.get("", response_model=ReviewPage, summary="Complaints waiting for an operator, oldest first",
            description="Reasons: `not_auto_routed` (the model was not confident enough), `flagged` (screening), "
                        "`probable_duplicate`, `escalated`.",
            responses=error_responses(401, 403, 429))
def queue(request: Request, principal: Principal = Depends(require("operator")),
          reason: Reason | None = None,
          limit: Annotated[int, Query(ge=1, le=500)] = 50,
          cursor: Annotated[str | None, Query(max_length=200)] = None) -> Any:
    return review_queue(request.app.state.db, reason, limit, query_text("cursor", cursor), principal.role)
