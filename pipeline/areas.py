"""Old import path of :mod:`pipeline.routing.areas`, kept so that models pickled before the routing package load."""

from pipeline.routing.areas import AreaOffices, Resolution, area_key, kind_class  # noqa: F401
