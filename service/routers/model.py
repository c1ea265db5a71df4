"""``/v1/model``: the model this process serves."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from service.auth import Principal, require
from service.errors import error_responses
from service.schemas import ModelOut

router = APIRouter(prefix="/v1/model", tags=["model"])


@router.get("", response_model=ModelOut, summary="Active model version, labels and validation metrics",
            responses=error_responses(401, 403, 429))
def model_info(request: Request, principal: Principal = Depends(require("operator", "analyst"))) -> Any:
    triage = request.app.state.triage
    m = triage.model.manifest
    return {"model_version": triage.version, "created_at": m.get("created_at"), "tenant": m.get("tenant"),
            "labels": list(m.get("labels") or []), "threshold": m.get("threshold"),
            "validation": m.get("validation"), "components": triage.components}
