"""Request and response models of ``/v1/policy-rules`` (the tenant's handling policy as admins keep it)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from service.field_types import storable

Short = Annotated[str, Field(max_length=300), AfterValidator(storable)]
Long = Annotated[str, Field(max_length=2000), AfterValidator(storable)]


class RuleFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keywords: Long | None = Field(None, description="'|'-separated phrases; a phrase matches when all its words "
                                                    "occur in the complaint (or their stems); empty: any text")
    unit: Short | None = Field(None, description="the topic: the Dinas the router ranks first; empty: any")
    kecamatan: Short | None = Field(None, description="the complaint's kecamatan; empty: any")
    kelurahan: Short | None = Field(None, description="the complaint's kelurahan; empty: any")
    route_to: Short | None = Field(None, description="kelurahan, kecamatan (the complainant's own office), dinas, "
                                                     "or a unit name")
    reason: Long | None = Field(None, description="shown to the operator in the explanation (Bahasa Indonesia)")


class RuleIn(RuleFields):
    route_to: Short = Field(description="kelurahan, kecamatan (the complainant's own office), dinas, or a unit name")


class RuleChange(RuleFields):
    enabled: bool | None = Field(None, description="false disables the rule (kept, no longer applied)")


class RuleOut(BaseModel):
    id: int
    keywords: str
    unit: str
    kecamatan: str
    kelurahan: str
    route_to: str
    reason: str
    enabled: bool
    created_by: str
    created_at: str | None
    updated_by: str
    updated_at: str | None


class RulePage(BaseModel):
    items: list[RuleOut]


class RuleChangeOut(BaseModel):
    rule_id: int
    action: str = Field(description="created, updated, disabled or enabled")
    by: str
    at: str
    before: dict | None
    after: dict | None


class RuleHistoryPage(BaseModel):
    items: list[RuleChangeOut]
