"""The service reads the project's one settings object (:class:`pipeline.settings.Settings`)."""

from __future__ import annotations

from pipeline.settings import Settings, get_settings

ServiceSettings = Settings  # the name the service's modules and tests have always used

__all__ = ["ServiceSettings", "Settings", "get_settings"]
