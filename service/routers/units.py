"""``/v1/units``: the tenant's unit table — list (everyone), add, rename and merge (admins).

A change applies in this process at once and in every other server process within ``LAPOR_MODEL_POLL_SECONDS``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from service import units
from service.deps import Admin, DbDep, Reader
from service.http_errors import error_responses
from service.model_switch import refresh_tenant
from service.unit_schemas import MergeIn, RenameIn, UnitIn, UnitOut, UnitPage

router = APIRouter(prefix="/v1/units", tags=["units"])

UnitPath = Annotated[str, Path(min_length=1, max_length=300)]


@router.get("", response_model=UnitPage, summary="The tenant's units (decisions may name these)",
            responses=error_responses(401, 403, 429))
def list_units(db: DbDep, principal: Reader,
               all: Annotated[bool, Query(description="also units renamed or merged away")] = False) -> Any:
    return {"items": [units.unit_out(u) for u in units.list_units(db, include_replaced=all)]}


@router.post("", status_code=201, response_model=UnitOut, summary="Add a unit (suggestible at once)",
             responses=error_responses(401, 403, 409, 429))
def add_unit(body: UnitIn, request: Request, db: DbDep, principal: Admin) -> Any:
    row = units.add_unit(db, body.name, body.description, body.aliases, body.kind, f"admin:{principal.name}")
    refresh_tenant(request.app)
    return units.unit_out(row)


@router.post("/{name}/rename", response_model=UnitOut, summary="Rename a unit; its training labels follow",
             responses=error_responses(401, 403, 404, 409, 429))
def rename_unit(name: UnitPath, body: RenameIn, request: Request, db: DbDep, principal: Admin) -> Any:
    row = units.rename_unit(db, name, body.new_name, f"admin:{principal.name}")
    refresh_tenant(request.app)
    return units.unit_out(row)


@router.post("/{name}/merge", response_model=UnitOut, summary="Merge a unit into another; its labels follow",
             responses=error_responses(401, 403, 404, 409, 429))
def merge_unit(name: UnitPath, body: MergeIn, request: Request, db: DbDep, principal: Admin) -> Any:
    row = units.merge_unit(db, name, body.into, f"admin:{principal.name}")
    refresh_tenant(request.app)
    return units.unit_out(row)
