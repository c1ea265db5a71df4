"""Operator console: server-rendered pages in Bahasa Indonesia on the service's own FastAPI app.

``install_console(app)`` mounts the pages (``service.console.routes``) and ``/static/console``.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"


def install_console(app) -> None:
    from fastapi.staticfiles import StaticFiles

    from service.console.routes import ConsoleExit, router

    async def console_exit(request, exc: ConsoleExit):
        return exc.response

    app.add_exception_handler(ConsoleExit, console_exit)
    app.include_router(router)
    app.mount("/static/console", StaticFiles(directory=str(STATIC_DIR)), name="console-static")
