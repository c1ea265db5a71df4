"""Intake in micro-batches: one worker thread routes and commits whatever requests are waiting.

Routing 32 complaints in one call costs about as much as routing 5 one by one, and one commit per
batch instead of per request keeps SQLite's fsyncs down; so under load each request waits for at
most one batch. A request's future is resolved only after its batch is committed.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time

from service import metrics
from service.db import Database
from service.schemas import ComplaintIn
from service.intake import Intake, ingest
from service.tenant import Tenant
from service.triage import Triage

log = logging.getLogger(__name__)

_STOP = object()


def _resolve(fut: asyncio.Future, value=None, exc: BaseException | None = None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(value)


class Ingestor:
    def __init__(self, db: Database, triage: Triage, tenant: Tenant, max_batch: int = 64):
        self.db = db
        self.triage = triage
        self.tenant = tenant
        self.max_batch = max(1, max_batch)
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="lapor-ingest", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the batches already queued, then stop."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    async def submit(self, items: list[ComplaintIn]) -> list[Intake]:
        if not self.running:
            raise RuntimeError("the intake worker is not running")
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._queue.put((items, fut, loop))
        return await fut

    def _run(self) -> None:
        stop = False
        while not stop:
            job = self._queue.get()
            if job is _STOP:
                break
            jobs, n = [job], len(job[0])
            while n < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop = True
                    break
                jobs.append(nxt)
                n += len(nxt[0])
            self._process(jobs)

    def _process(self, jobs: list) -> None:
        items = [it for items, _, _ in jobs for it in items]
        start = time.perf_counter()
        try:
            results = ingest(self.db, self.triage, items, self.tenant)
        except BaseException as exc:  # every waiting request gets the error, none hangs
            log.exception("intake of %d complaints failed", len(items))
            for _, fut, loop in jobs:
                loop.call_soon_threadsafe(_resolve, fut, None, exc)
            return
        metrics.observe_intake(results, time.perf_counter() - start)
        k = 0
        for job_items, fut, loop in jobs:
            part = results[k:k + len(job_items)]
            k += len(job_items)
            try:
                loop.call_soon_threadsafe(_resolve, fut, part)
            except RuntimeError:  # the request's event loop is gone (shutdown); the rows are stored
                pass
