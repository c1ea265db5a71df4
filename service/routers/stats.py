"""``/v1/stats``: the measures of a responsive government, read from the system itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from service.deps import DbDep, Reader, TenantDep, query_time
from service.http_errors import error_responses
from service.stats import compute_stats
from service.stats_schemas import StatsOut

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get("", response_model=StatsOut, summary="Received per period and OPD (by submission time), time to disposition and to answer "
                    "(median, p90), share within deadline",
            responses=error_responses(401, 403, 429))
def stats(db: DbDep, tenant: TenantDep, principal: Reader,
          period: Literal["day", "week", "month"] = "month",
          date_from: Annotated[datetime | None, Query(description="submitted (else received) at or after")] = None,
          date_to: Annotated[datetime | None, Query(description="submitted (else received) before")] = None) -> Any:
    return compute_stats(db, tenant, period, query_time("date_from", date_from), query_time("date_to", date_to))
