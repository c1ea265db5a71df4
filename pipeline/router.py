"""Old import path of :mod:`pipeline.routing.router`, kept so that models pickled before the routing package load."""

from pipeline.routing.calibration import choose_threshold, choose_unit_thresholds, softmax  # noqa: F401
from pipeline.routing.result import Routing, Suggestion  # noqa: F401
from pipeline.routing.router import OpdRouter  # noqa: F401
