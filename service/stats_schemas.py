"""``GET /v1/stats``: received per period and OPD, time to disposition and to answer, shares within deadline."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class PeriodCount(BaseModel):
    period_start: datetime = Field(description="start of the period in the tenant's time zone")
    opd: str | None
    received: int
    responded: int = 0
    time_to_response_median_s: float | None = None
    time_to_response_p90_s: float | None = None


class PeriodTrend(BaseModel):
    period_start: datetime
    received: int
    responded: int
    time_to_response_median_s: float | None
    time_to_response_p90_s: float | None
    answered_within_deadline: float | None


class OpdStats(BaseModel):
    opd: str
    received: int
    routed: int
    responded: int
    time_to_route_median_s: float | None
    time_to_route_p90_s: float | None
    time_to_response_median_s: float | None
    time_to_response_p90_s: float | None
    disposed_within_deadline: float | None = Field(None, description="share disposed within the verification "
                                                                     "deadline")
    answered_within_deadline: float | None = Field(None, description="share answered within the follow-up deadline")


class Totals(BaseModel):
    received: int
    auto_routed: int
    auto_route_rate: float | None
    operator_routed: int
    overridden: int
    override_rate: float | None = Field(description="share of operator route decisions that differ from the suggestion")
    responded: int
    in_review: int


class StatsOut(BaseModel):
    period: Literal["day", "week", "month"]
    date_from: datetime | None
    date_to: datetime | None
    time_zone: str | None = None
    totals: Totals
    periods: list[PeriodCount] = Field(description="complaints received (by submission time) and the time to "
                                                   "answer per period and OPD (lead, else suggested)")
    per_opd: list[OpdStats]
    trend: list[PeriodTrend] = Field(default_factory=list, description="all OPDs together, per period")
