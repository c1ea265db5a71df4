"""``/v1/model``: the model this process serves, and ``/v1/model/health``: its suggestions against decisions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.deps import DbDep, Reader, SettingsDep, TriageDep
from service.http_errors import error_responses
from service.model_health import model_health
from service.model_schemas import ModelHealthOut
from service.model_schemas import ModelOut

router = APIRouter(prefix="/v1/model", tags=["model"])


def model_info_of(triage) -> dict:
    """What the API's /v1/model and the console's Model page show."""
    m = getattr(triage.model, "manifest", {}) or {}
    return {"model_version": triage.version, "created_at": m.get("created_at"), "tenant": m.get("tenant"),
            "labels": list(m.get("labels") or []), "threshold": m.get("threshold"),
            "validation": m.get("validation"), "components": triage.components}


@router.get("", response_model=ModelOut, summary="Active model version, labels and validation metrics",
            responses=error_responses(401, 403, 429))
def model_info(triage: TriageDep, principal: Reader) -> Any:
    return model_info_of(triage)


@router.get("/health", response_model=ModelHealthOut, responses=error_responses(401, 403, 429),
            summary="Override rate and accuracy of suggestions on recent operator decisions, per week")
def health(triage: TriageDep, db: DbDep, settings: SettingsDep, principal: Reader) -> Any:
    return model_health(db, (getattr(triage.model, "manifest", {}) or {}).get("validation"),
                        margin=settings.health_drift_margin)
