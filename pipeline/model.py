"""The deployable triage model: a verified bundle from a model directory, loaded once per process."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.artifacts import load_bundle
from pipeline.batch import OutputSpec
from pipeline.errors import ArtifactError
from pipeline.routing.router import OpdRouter, Routing
from pipeline.screening import SCREENING_OUTPUT, Screener, screening_record

ROUTING_OUTPUT = OutputSpec(
    columns={
        "opd": str,
        "confidence": float,
        "top_k": str,
        "auto_route": bool,
        "explanation": str,
        "model_version": str,
    },
    empty={"top_k": "[]"},
)


def routing_record(r: Routing, model_version: str) -> dict:
    return {
        "opd": r.opd or "",
        "confidence": round(r.confidence, 4),
        "top_k": json.dumps([{"opd": s.opd, "p": round(s.p, 4)} for s in r.top_k], ensure_ascii=False),
        "auto_route": r.auto_route,
        "explanation": r.explanation,
        "model_version": model_version,
    }


@dataclass
class TriageModel:
    router: OpdRouter
    manifest: dict
    screener: Screener | None = None  # present when the model directory also holds a screener

    @property
    def version(self) -> str:
        return self.manifest["model_version"]

    @classmethod
    def load(cls, model_dir: str | Path) -> "TriageModel":
        components, manifest = load_bundle(model_dir)
        router = components.get("router")
        if not isinstance(router, OpdRouter):
            raise ArtifactError(f"{model_dir}: no router artifact in this model directory")
        screener = components.get("screener")
        if screener is not None and not isinstance(screener, Screener):
            raise ArtifactError(f"{model_dir}: the 'screener' artifact is not a Screener")
        return cls(router=router, manifest=manifest, screener=screener)

    def route(self, df: pd.DataFrame, explain: bool = True) -> list[Routing]:
        return self.router.route(df, explain=explain)

    def predict_records(self, df: pd.DataFrame) -> list[dict]:
        """One output record per input row (the batch ``predict`` columns)."""
        records = [routing_record(r, self.version) for r in self.route(df)]
        if self.screener is not None:  # same rows, same pass: the screening columns follow the routing ones
            for record, result in zip(records, self.screener.screen(df["text"].tolist())):
                record.update(screening_record(result))
        return records

    @property
    def output_spec(self) -> OutputSpec:
        """Batch columns; error rows still name the model version that saw them."""
        columns, empty = dict(ROUTING_OUTPUT.columns), {**ROUTING_OUTPUT.empty, "model_version": self.version}
        if self.screener is not None:
            columns.update(SCREENING_OUTPUT.columns)
            empty.update(SCREENING_OUTPUT.empty)
        return OutputSpec(columns, empty)
