"""``/v1/models``: the model registry — list, retrain (in the background), promote and roll back.

Promoting makes a version active in the registry; this process switches at once, every other server process
within ``LAPOR_MODEL_POLL_SECONDS`` (:mod:`service.model_switch`). Rolling back is promoting an earlier version.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request

from service import registry
from service.deps import Admin, Analyst, DbDep, Reader, RetrainerDep
from service.http_errors import error_responses
from service.model_schemas import ModelVersionOut, ModelVersionPage, PromoteIn, RetrainOut
from service.model_switch import follow

router = APIRouter(prefix="/v1/models", tags=["model"])

Version = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$")]


@router.get("", response_model=ModelVersionPage, summary="Every model version in the registry, newest first",
            responses=error_responses(401, 403, 429))
def list_models(db: DbDep, principal: Reader) -> Any:
    return {"items": [registry.version_out(r) for r in registry.list_versions(db)]}


@router.post("/retrain", status_code=202, response_model=RetrainOut,
             summary="Train a candidate on the base data and the decided complaints (in the background)",
             responses=error_responses(401, 403, 409, 429))
def retrain(retrainer: RetrainerDep, principal: Analyst) -> Any:
    return {"version": retrainer.start(f"{principal.role}:{principal.name}"), "status": registry.TRAINING}


@router.get("/{version}", response_model=ModelVersionOut, summary="One model version: status, metrics, comparison",
            responses=error_responses(401, 403, 404, 429))
def get_model(version: Version, db: DbDep, principal: Reader) -> Any:
    return registry.version_out(registry.get_version(db, version))


@router.post("/{version}/promote", response_model=ModelVersionOut,
             summary="Serve this version (a rollback when it is an earlier one); every process switches",
             responses=error_responses(401, 403, 404, 409, 429))
def promote(version: Version, request: Request, db: DbDep, principal: Admin,
            body: Annotated[PromoteIn | None, Body()] = None,
            override: Annotated[bool, Query(description="same as the body's 'override'")] = False) -> Any:
    row = registry.promote(db, version, f"{principal.role}:{principal.name}",
                           override=override or bool(body and body.override))
    follow(request.app, row.version)
    return registry.version_out(row)
