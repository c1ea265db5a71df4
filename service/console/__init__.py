"""Operator console: server-rendered pages in Bahasa Indonesia on the service's own FastAPI app.

One module per page: ``login`` (``/masuk``, ``/keluar``), ``queue`` (``/antrian``), ``complaints`` (``/daftar``:
search, deadline queues, bulk disposition), ``detail``
(``/pengaduan/{id}`` and its decisions), ``dashboard`` (``/dasbor``), ``recurring`` (``/berulang``), ``intake`` (``/lapor``), ``model``
(``/model``: versions, retrain, promote), ``units_page`` (``/unit``: the unit table), ``policy_page`` (``/kebijakan``: handling-policy rules), ``admin`` (``/kunci``); ``web`` holds what they share. Pages call the same service functions as the API
(``service.queries``, ``service.decisions``, the intake worker, ``service.stats``), never a route function.
"""

from __future__ import annotations

from service.console.paths import STATIC_DIR

PAGES = ("login", "queue", "complaints", "detail", "dashboard", "recurring", "intake", "model", "units_page", "policy_page",
         "admin")


def install_display_zone(app) -> None:
    """Operators read times in LAPOR_CONSOLE_TZ, else in the tenant's time zone."""
    from service.console.formats import DisplayZone

    settings = app.state.settings
    app.state.display_zone = DisplayZone.named(settings.console_tz or app.state.tenant.time_zone)


def install_console(app) -> None:
    import importlib

    from fastapi.staticfiles import StaticFiles

    from service.console.formats import DisplayZone
    from service.console.web import ConsoleExit

    async def console_exit(request, exc: ConsoleExit):
        return exc.response

    app.state.display_zone = DisplayZone.named(app.state.settings.console_tz)  # until the tenant is loaded
    app.add_exception_handler(ConsoleExit, console_exit)
    for name in PAGES:
        app.include_router(importlib.import_module(f"service.console.{name}").router)
    app.mount("/static/console", StaticFiles(directory=str(STATIC_DIR)), name="console-static")
