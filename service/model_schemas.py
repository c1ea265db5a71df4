"""Request and response models of the served model (``/v1/model``) and the model registry (``/v1/models``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ModelVersionOut(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    version: str
    status: str = Field(description="training, candidate, active, retired or failed")
    metrics: dict[str, Any] = Field(description="'validation' (the version's own time-based validation) and, for "
                                                "a retrained version, 'comparison': candidate and active model on "
                                                "the same most recent decided complaints ('holdout.n'), per gated "
                                                "figure 'differences' (candidate − active, 95 % paired-bootstrap "
                                                "'interval', 'significantly_worse'), 'mcnemar_top1', 'method', "
                                                "'passed' (false only when significantly worse) and 'reasons'")
    components: dict[str, Any] = Field(description="what happened to each component of the bundle")
    carried_over: dict[str, Any] = Field(default_factory=dict, description="per component kept unchanged by a "
                                         "retrain (the screener): 'trained_in' (its own version), 'from_version', "
                                         "'parent_sha256' of its artifact and 'reason' it was not retrained")
    labels: int = Field(description="number of units the model knows")
    training_data_hash: str | None
    training_data: dict[str, Any] | None
    parent_version: str | None = Field(description="the active model it was trained beside")
    created_by: str
    created_at: str | None
    finished_at: str | None
    promoted_by: str | None
    promoted_at: str | None
    override: bool = Field(description="promoted although the comparison found it worse")
    error: str | None


class ModelVersionPage(BaseModel):
    items: list[ModelVersionOut]


class RetrainOut(BaseModel):
    version: str
    status: str


class PromoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    override: bool = Field(False, description="promote a candidate the comparison found worse than the active model")


class HealthWeek(BaseModel):
    week: str = Field(description="ISO week of the decisions, e.g. 2026-W05")
    decisions: int
    top1_accuracy: float = Field(description="share of operator decisions that chose the suggested unit")
    top3_accuracy: float
    override_rate: float = Field(description="share of operator decisions that chose another unit")


class ModelHealthOut(BaseModel):
    weeks: list[HealthWeek]
    decisions: int
    recent_top1_accuracy: float | None
    recent_override_rate: float | None
    validation: dict[str, Any] = Field(description="the served model's own validation figures")
    margin: float
    min_decisions: int
    warning: str | None = Field(description="set when recent accuracy falls below validation by more than margin")


class ModelOut(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_version: str
    created_at: str | None
    tenant: str | None
    labels: list[str]
    threshold: float | None
    validation: dict[str, Any] | None
    components: dict[str, bool]
