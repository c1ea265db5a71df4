"""``/healthz`` (the process is up), ``/readyz`` (database reachable and migrated, model loaded), ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.concurrency import run_in_threadpool

from service import metrics
from service.migrations import current_revision, head_revision
from service.queries import queue_size
from service.status_schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
def healthz() -> dict:
    return {"status": "ok", "checks": {}}


@router.get("/readyz", response_model=Health, summary="Readiness: database migrated and reachable, model loaded and warmed up",
            responses={503: {"model": Health, "description": "not ready"}})
def readyz(request: Request):
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        rev = current_revision(state.db.engine)
        head = head_revision()
        checks["database"] = "ok" if rev == head else f"migration {rev} is not head {head}: run 'lapor-triage db upgrade'"
    except Exception as exc:  # unreachable database: not ready, not a crash
        checks["database"] = f"unreachable: {type(exc).__name__}"
    warm = getattr(state, "warm", None)
    if not getattr(state, "triage", None):
        checks["model"] = "not loaded"
    else:
        checks["model"] = f"ok ({state.triage.version}, warmed up)" if warm == "ok" else (warm or "warming up")
    checks["intake"] = "ok" if state.ingestor.running else "stopped"
    ok = all(v.startswith("ok") for v in checks.values())
    return JSONResponse({"status": "ok" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics (text format)",
            responses={200: {"content": {"text/plain": {}}, "description": "Prometheus exposition format"}})
async def prometheus(request: Request) -> Response:
    try:
        size = await run_in_threadpool(queue_size, request.app.state.db)
    except Exception:
        size = None
    body, content_type = metrics.render(size)
    return Response(body, media_type=content_type)
