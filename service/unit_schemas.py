"""Request and response models of ``/v1/units`` (the tenant's unit table)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from service.field_types import UnitName as Name
from service.field_types import storable

Text = Annotated[str, Field(max_length=5000), AfterValidator(storable)]


class UnitOut(BaseModel):
    name: str
    kind: str
    description: str
    aliases: list[str]
    status: str = Field(description="active, renamed or merged")
    replaced_by: str | None = Field(description="the unit a renamed or merged unit became")
    created_by: str
    updated_at: str


class UnitPage(BaseModel):
    items: list[UnitOut]


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Text = Field(description="the unit's tasks: a new unit is suggested from it at once, and it is a "
                                          "training document at the next retrain")
    aliases: list[Annotated[str, Field(max_length=200), AfterValidator(storable)]] = Field(default_factory=list,
                                                                                             max_length=50)
    kind: Annotated[str, Field(max_length=50), AfterValidator(storable)] = ""


class RenameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_name: Name


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: Name = Field(description="the unit that takes over; decisions and training labels follow it")
