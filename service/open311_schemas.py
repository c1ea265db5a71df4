"""Response models of the Open311 GeoReport v2 endpoints (field names as the specification spells them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Open311Service(BaseModel):
    service_code: str = Field(description="unique id of the service (a slug of the unit's name)")
    service_name: str = Field(description="the unit (OPD, Kecamatan/Kelurahan office, or a body complaints are "
                                          "forwarded to)")
    description: str
    metadata: bool = Field(False, description="always false: no extra attributes are asked for")
    type: Literal["realtime", "batch", "blackbox"] = "realtime"
    keywords: str = Field(description="comma-separated other names of the unit")
    group: str = Field(description="the kind of unit (dinas, kecamatan, kelurahan, inspektorat, …)")


class Open311Request(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"] = Field(description="open while the workflow can act on it; closed once done, "
                                                          "archived or merged")
    status_notes: str | None = Field(description="the latest answer given to the citizen (PII masked)")
    service_name: str | None = Field(description="the unit it was disposed to; null before disposition")
    service_code: str | None
    description: str = Field(description="the complaint text with personal data masked (≤ 4,000 characters)")
    agency_responsible: str | None
    service_notice: str | None = None
    requested_datetime: str | None = Field(description="W3C date-time in the tenant's time zone")
    updated_datetime: str | None
    expected_datetime: str | None = Field(description="deadline of the current stage (working days, tenant "
                                                      "holidays); null when no deadline runs")
    address: str | None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


class Open311Error(BaseModel):
    code: int = Field(description="the HTTP status")
    description: str
