"""The deployable triage model: a verified bundle from a model directory, loaded once per process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.artifacts import load_bundle
from pipeline.batch import OutputSpec
from pipeline.errors import ArtifactError
from pipeline.routing.result import Routing
from pipeline.routing.router import OpdRouter
from pipeline.screening import SCREENING_OUTPUT, Screener
from pipeline.triage.core import Triage
from pipeline.triage.records import ROUTING_OUTPUT, batch_record, combine, items_of, routing_record  # noqa: F401


# touches every lazily built part: routing features and terms, screening rules, accusation detector
WARM_TEXT = "Pak Budi ketua RT 05 meminta pungli 50 ribu, dasar bodoh. Jalan rusak di depan rumah warga."


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

    def triage(self, **kwargs) -> Triage:
        """The triage core with this bundle's components (``duplicates=…`` adds an index)."""
        return Triage.from_model(self, **kwargs)

    def predict_records(self, df: pd.DataFrame) -> list[dict]:
        """One output record per input row (the batch ``predict`` columns)."""
        return [batch_record(r) for r in self.triage().run(items_of(df))]

    def warm(self) -> None:
        """Build now what the first complaints would build (feature caches, the screener's matchers):
        done once before forking batch workers, so they share it instead of each building it again."""
        self.predict_records(pd.DataFrame({"id": ["warm"], "text": [WARM_TEXT]}))

    def warm_gazetteer(self) -> None:
        """Build the router's area gazetteer now (:meth:`AreaOffices.warm <pipeline.routing.areas.AreaOffices.warm>`):
        what a server adds to :meth:`warm` before it says ready, so no complaint that names an area pays for it."""
        areas = getattr(self.router, "areas_", None)
        if areas is not None:
            areas.warm()

    @property
    def output_spec(self) -> OutputSpec:
        """Batch columns; error rows still name the model version that saw them."""
        specs = [ROUTING_OUTPUT, OutputSpec({}, {"model_version": self.version})]
        if self.screener is not None:
            specs.append(SCREENING_OUTPUT)
        return combine(*specs)


def load_screener(model_dir: str | Path) -> tuple[Screener, dict]:
    """The screener of a model directory (a screener's own or a router bundle with one) and its manifest."""
    components, manifest = load_bundle(model_dir)
    screener = components.get("screener")
    if not isinstance(screener, Screener):
        raise ArtifactError(f"{model_dir}: no screener artifact in this model directory; run 'train-screening'")
    return screener, manifest
