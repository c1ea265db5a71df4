"""Prometheus metrics: request latency, triage outcomes, flags, decisions, review queue size.

With several uvicorn workers, set ``PROMETHEUS_MULTIPROC_DIR`` (``lapor-triage serve`` does) and
``/metrics`` aggregates all worker processes.
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess

REQUEST_LATENCY = Histogram(
    "lapor_http_request_duration_seconds", "HTTP request latency", ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
TRIAGED = Counter("lapor_complaints_triaged_total", "complaints stored and triaged", ["outcome"])
FLAGS = Counter("lapor_complaints_flagged_total", "complaints flagged by screening", ["category"])
DUPLICATES = Counter("lapor_probable_duplicates_total", "complaints held as probable duplicates")
IDEMPOTENT = Counter("lapor_idempotent_replays_total", "submissions answered with an existing complaint")
INTAKE_BATCH = Histogram("lapor_intake_batch_size", "complaints per intake batch",
                         buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024))
INTAKE_SECONDS = Histogram("lapor_intake_batch_seconds", "time to triage and commit one intake batch")
DECISIONS = Counter("lapor_decisions_total", "operator decisions", ["action"])


def observe_intake(results, seconds: float) -> None:
    INTAKE_BATCH.observe(len(results))
    INTAKE_SECONDS.observe(seconds)
    for r in results:
        if r.status != "created":
            IDEMPOTENT.inc()
            continue
        c = r.complaint
        TRIAGED.labels("auto_routed" if c["auto_routed"] else "review").inc()
        for cat in c["flag_categories"] or (["unspecified"] if c["flagged"] else []):
            FLAGS.labels(cat).inc()
        if "probable_duplicate" in c["review_reasons"]:
            DUPLICATES.inc()


def render(queue_size: int | None) -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    extra = CollectorRegistry()
    if queue_size is not None:
        Gauge("lapor_review_queue_size", "complaints waiting for an operator", registry=extra).set(queue_size)
    return body + generate_latest(extra), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Pure ASGI: latency per route template (not per URL, so ids do not explode the label set)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            REQUEST_LATENCY.labels(scope.get("method", ""), path, str(status["code"])).observe(
                time.perf_counter() - start)
