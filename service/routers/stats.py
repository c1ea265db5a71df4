"""``/v1/stats``: the measures of a responsive government, read from the system itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from service.deps import Analyst, DbDep, query_time
from service.http_errors import error_responses
from service.schemas import StatsOut
from service.stats import compute_stats

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get("", response_model=StatsOut, summary="Volumes, auto-route and override rates, time to route/respond",
            responses=error_responses(401, 403, 429))
def stats(db: DbDep, principal: Analyst,
          period: Literal["day", "week", "month"] = "month",
          date_from: Annotated[datetime | None, Query(description="received at or after")] = None,
          date_to: Annotated[datetime | None, Query(description="received before")] = None) -> Any:
    return compute_stats(db, period, query_time("date_from", date_from), query_time("date_to", date_to))
