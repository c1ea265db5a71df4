"""The FastAPI application: ``create_app(settings)``; the model is loaded once per process at start-up."""

from __future__ import annotations

import gc
import logging
import threading
import time
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import SQLAlchemyError

from pipeline import __version__
from pipeline.model import TriageModel
from service.auth import KeyCache
from service.db import Database
from service.http_errors import install_error_handlers
from service import policy_rules, registry, units
from service.ingest import Ingestor
from service.model_switch import ModelWatcher, refresh_tenant
from service.retrain_job import Retrainer
from service.replies import load_replies
from service.metrics import MetricsMiddleware
from service.ratelimit import rate_limiter
from service.routers import complaints, health, model, models, open311, policy, recurring, review, stats, units as unit_routes
from service.settings import ServiceSettings, get_settings
from service.stats_daily import build_stats
from service.duplicates import attach_duplicate_index
from service.recurring import attach_recurring
from service.learning import Learning
from service.decision_feed import DecisionFeed
from service.triage import Triage
from service.yielding import RequestCounter

log = logging.getLogger(__name__)

DESCRIPTION = """Triage of citizen complaints (SP4N-LAPOR!): each complaint is stored, routed to the responsible
OPD (with confidence, top-k and an explanation), screened and checked for duplicates when those components are
installed, and queued for an operator when it needs a human.

Authenticate with `Authorization: Bearer <key>`; keys are created with `lapor-triage keys create --role ROLE --name NAME`.
Roles: `operator` (submit, review, decide, respond), `analyst` (read, stats; sees masked text only), `admin` (all).
Errors carry a `code` and an operator-facing `detail` in Bahasa Indonesia; validation errors (422) name the field."""


@lru_cache(maxsize=4)
def load_model(model_dir: str) -> TriageModel:
    """One verified model per process and directory."""
    return TriageModel.load(model_dir)


WARM_UP_TEXT = "Jalan rusak di depan kantor kelurahan, mohon segera diperbaiki. Hubungi 081200000000."


def warm_up(triage: Triage) -> str:
    """Triage a made-up complaint (nothing is stored) so the first real request pays no lazy set-up cost
    (caches, spaCy and the gazetteer's matcher, first sparse products); ``/readyz`` says ready only after this."""
    from pipeline.triage import TriageItem

    started = time.perf_counter()
    try:
        # with areas given and without (then the area is looked for in the text)
        triage.core_for(None).run([TriageItem(WARM_UP_TEXT, "Benteng", "Benteng"), TriageItem(WARM_UP_TEXT)])
        # the text names no area of the tenant, so the gazetteer's matcher (and spaCy) is built explicitly: else the
        # first complaint that names one pays it — seconds while the recurring groups are restored beside it
        triage.model.warm_gazetteer()
    except Exception as exc:  # a model that cannot triage is not ready; /readyz says why
        log.exception("warm-up triage failed")
        return f"warm-up failed: {type(exc).__name__}"
    log.info("model warmed up in %.2fs", time.perf_counter() - started)
    return "ok"


def registered_active(db: Database, settings: ServiceSettings):
    """The registry's active version (the configured model directory on first start); None when the database
    cannot tell yet (not migrated: /readyz says so) — the configured directory is served then."""
    try:
        return registry.ensure_active(db, settings)
    except SQLAlchemyError as exc:
        log.warning("model registry unavailable (%s); serving %s", str(exc).splitlines()[0], settings.model_dir)
        return None


def seed_tenant_units(db: Database, settings: ServiceSettings) -> None:
    try:
        units.seed_units(db, settings.served_tenant_dir)
    except SQLAlchemyError as exc:
        log.warning("unit table unavailable (%s)", str(exc).splitlines()[0])


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """413 for bodies over the limit, whether Content-Length says so or the stream shows it."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    return await self._reject(send)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(send)

    async def _reject(self, send):
        body = JSONResponse({"detail": f"body: permintaan melebihi batas {self.max_bytes} byte.",
                             "code": "body_too_large"}, status_code=413)
        await send({"type": "http.response.start", "status": 413, "headers": body.raw_headers})
        await send({"type": "http.response.body", "body": body.body})


def attach_learning(triage, db, settings) -> None:
    """Recent decisions and the tenant's handling policy reach the suggestions (``decision_memory``)."""
    if not settings.decision_memory or not hasattr(triage, "learning"):
        return
    try:
        high = DecisionFeed(db, None).latest_id()  # before the memory is read: nothing falls between the two
        triage.learning = Learning.start(db, settings.served_tenant_dir)
        triage.decision_feed = DecisionFeed(db, triage.learning, high=high)
    except Exception:  # the model alone still routes
        log.exception("decision memory could not be loaded from the database")


def seed_policy_rules(db: Database, settings: ServiceSettings) -> None:
    try:
        policy_rules.seed_rules(db, Path(settings.served_tenant_dir))
    except Exception as exc:  # noqa: BLE001 - not migrated yet, or a broken file: serve without it, say why
        log.warning("cannot seed the handling-policy rules (%s)", str(exc).splitlines()[0])


def reap_abandoned(retrainer: Retrainer) -> None:
    try:
        retrainer.reap()
    except SQLAlchemyError as exc:  # not migrated yet: /readyz says so
        log.warning("cannot check for abandoned retrains (%s)", str(exc).splitlines()[0])


def create_app(settings: ServiceSettings | None = None, *, triage: Triage | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        db = Database(settings)
        app.state.db = db
        active = registered_active(db, settings)
        if triage is not None:
            app.state.triage = triage
        elif active is not None:
            app.state.triage = Triage.from_model(load_model(active.path))
        else:
            app.state.triage = Triage.from_model(load_model(str(Path(settings.model_dir).resolve())))
        app.state.model_switch_lock = threading.Lock()
        app.state.model_watcher = ModelWatcher(app, db, settings.model_poll_seconds,
                                               active.version if active is not None else None)
        attach_duplicate_index(app.state.triage, db, settings.duplicate_window_days)
        seed_tenant_units(db, settings)
        seed_policy_rules(db, settings)
        attach_learning(app.state.triage, db, settings)
        refresh_tenant(app)  # the tenant's units, and their stamp as the watcher's baseline
        build_stats(db, app.state.tenant)
        app.state.replies = load_replies(settings.served_tenant_dir)
        install_display_zone(app)
        app.state.warm = warm_up(app.state.triage)  # before the recurring restore's thread competes for the GIL
        attach_recurring(db, settings.recurring_window_days)
        app.state.keys = KeyCache(settings.key_cache_seconds)
        app.state.limiter = rate_limiter(settings)
        app.state.ingestor = Ingestor(db, app.state.triage, app.state.tenant, settings.ingest_max_batch,
                                      workers=settings.ingest_workers)
        app.state.ingestor.start()
        app.state.retrainer = Retrainer(db, settings)
        reap_abandoned(app.state.retrainer)  # a retrain its stopped server left 'training' is failed, with why
        app.state.model_watcher.start()
        gc.collect()
        gc.freeze()  # the model's many long-lived objects leave the GC's scans: shorter pauses under load
        log.info("serving model %s from %s", app.state.triage.version, settings.model_dir)
        # what this start started, stopped at its end even if another start on the same app object (a test
        # harness running the lifespan twice) has replaced app.state's references since
        watcher, retrainer, ingestor = app.state.model_watcher, app.state.retrainer, app.state.ingestor
        try:
            yield
        finally:
            watcher.stop()
            retrainer.shutdown()
            ingestor.stop()
            db.dispose()

    # /docs (Swagger UI) and /redoc load their scripts and styles from this app (fastapi-offline ships
    # them), never from a CDN: they work on an intranet without internet access
    app = FastAPIOffline(title="lapor-triage", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                         static_url="/static/docs")
    app.state.settings = settings

    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestCounter)  # background work gives way to requests in flight (service/yielding.py)
    for module in (complaints, review, stats, recurring, model, models, unit_routes, policy, open311, health):
        app.include_router(module.router)
    from service.console import install_console, install_display_zone  # operator console and /static/console

    install_console(app)
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory for ``lapor-triage serve`` (``service.app:app_from_env``)."""
    return create_app(get_settings())
