"""Routing: suggest the responsible unit (OPD) for a complaint, with calibrated confidence and reasons.

- :mod:`~pipeline.routing.features` — the document's tokens → word and character TF-IDF;
- :mod:`~pipeline.routing.areas` — area offices (Kelurahan/Kecamatan) resolved from fields or text;
- :mod:`~pipeline.routing.calibration` — temperature, global and per-unit auto-route thresholds;
- :mod:`~pipeline.routing.validation` — time-based hold-out folds and recency weights;
- :mod:`~pipeline.routing.explain` — the words behind a suggestion;
- :mod:`~pipeline.routing.router` — :class:`OpdRouter` (fit / route), results in :mod:`~pipeline.routing.result`;
- :mod:`~pipeline.routing.training`, :mod:`~pipeline.routing.evaluate` — model directories and reports.
"""

from pipeline.routing.result import Routing, Suggestion
from pipeline.routing.router import OpdRouter

__all__ = ["OpdRouter", "Routing", "Suggestion"]
