"""Intake in micro-batches on a small, bounded pool of worker threads, fair between requests.

Routing 32 complaints in one call costs about as much as routing 5 one by one, and one commit per
batch instead of per request keeps SQLite's fsyncs down; so under load each request waits for at
most one batch. A request's future is resolved only after all of its items are committed.

Nothing runs on the event loop. A request's items are cut into chunks of at most ``chunk_items``,
and each worker builds its micro-batch from one chunk of each waiting request, so a 1,000-item
batch never makes a single complaint posted beside it wait for the whole batch; with ``workers``
threads one slow micro-batch (one slow complaint) holds only one of them. A request's chunks are stored
one after the other (its next chunk waits until the previous one is committed and in the duplicate
index), so the items of one batch find each other as duplicates across chunks, exact or near.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from service import metrics
from service.complaint_schemas import ComplaintIn
from service.db import Database
from service.intake import Intake, ingest
from service.tenant import Tenant
from service.triage import Triage

log = logging.getLogger(__name__)


def _resolve(fut: asyncio.Future, value=None, exc: BaseException | None = None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(value)


@dataclass
class _Request:
    items: list[ComplaintIn]
    fut: asyncio.Future
    loop: asyncio.AbstractEventLoop
    chunks: deque = field(default_factory=deque)  # (offset, items) not yet taken
    pending: int = 0  # chunks taken or waiting, not yet finished
    results: list = field(default_factory=list)
    failed: bool = False


class Ingestor:
    def __init__(self, db: Database, triage: Triage, tenant: Tenant, max_batch: int = 64, workers: int = 2,
                 chunk_items: int = 16):
        self.db = db
        self.triage = triage
        self.tenant = tenant
        self.max_batch = max(1, max_batch)
        self.workers = max(1, workers)
        self.chunk_items = max(1, min(chunk_items, self.max_batch))
        self._cond = threading.Condition()
        self._waiting: deque[_Request] = deque()  # requests with chunks left, in turn
        self._held = 0  # requests with more chunks, waiting for their chunk in progress to be stored
        self._stopping = False
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if not self._threads:
            self._stopping = False
            self._threads = [threading.Thread(target=self._run, name=f"lapor-ingest-{i}", daemon=True)
                             for i in range(self.workers)]
            for t in self._threads:
                t.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the chunks already queued, then stop."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for t in self._threads:
            t.join(timeout)
        self._threads = []

    @property
    def running(self) -> bool:
        return bool(self._threads) and any(t.is_alive() for t in self._threads) and not self._stopping

    async def submit(self, items: list[ComplaintIn]) -> list[Intake]:
        if not self.running:
            raise RuntimeError("the intake worker is not running")
        if not items:
            return []
        loop = asyncio.get_running_loop()
        req = _Request(items, loop.create_future(), loop, results=[None] * len(items))
        for off in range(0, len(items), self.chunk_items):
            req.chunks.append((off, items[off:off + self.chunk_items]))
        req.pending = len(req.chunks)
        with self._cond:
            self._waiting.append(req)
            self._cond.notify()
        return await req.fut

    def _take(self) -> list[tuple[_Request, int, list]] | None:
        """One round: at most one chunk from each waiting request, up to ``max_batch`` items (None: stop).

        A request's next chunk waits for the next round, so a complaint arriving behind a big batch
        waits for one small micro-batch, not for the batch.
        """
        with self._cond:
            while not self._waiting and (not self._stopping or self._held):
                self._cond.wait()
            if not self._waiting:
                return None
            taken, n = [], 0
            while self._waiting and n < self.max_batch:
                req = self._waiting.popleft()
                off, part = req.chunks.popleft()
                taken.append((req, off, part))
                n += len(part)
                if req.chunks:
                    self._held += 1  # its next chunk waits until this one is stored (see _finish)
            if self._waiting:
                self._cond.notify()  # another worker can take the next turn at once
            return taken

    def _run(self) -> None:
        while (taken := self._take()) is not None:
            self._process(taken)

    def _process(self, taken: list[tuple[_Request, int, list]]) -> None:
        items = [it for _, _, part in taken for it in part]
        start = time.perf_counter()
        try:
            results = ingest(self.db, self.triage, items, self.tenant)
        except BaseException as exc:  # every waiting request gets the error, none hangs
            log.exception("intake of %d complaints failed", len(items))
            for req, _, _ in taken:
                self._finish(req, exc)
            return
        metrics.observe_intake(results, time.perf_counter() - start)
        k = 0
        for req, off, part in taken:
            req.results[off:off + len(part)] = results[k:k + len(part)]
            k += len(part)
            self._finish(req)

    def _finish(self, req: _Request, exc: BaseException | None = None) -> None:
        with self._cond:
            req.pending -= 1
            if req.chunks and req.pending == len(req.chunks):  # this was its chunk in progress
                self._held -= 1
                if exc is None and not req.failed:
                    self._waiting.append(req)  # its next chunk, in turn
                self._cond.notify_all()
            if exc is not None and not req.failed:
                req.failed = True
                if req in self._waiting:  # its other chunks are not stored: the request failed as a whole
                    self._waiting.remove(req)
                done, value = True, None
            else:
                done, value = req.pending == 0 and not req.failed, req.results
        if done:
            try:
                req.loop.call_soon_threadsafe(_resolve, req.fut, value, exc)
            except RuntimeError:  # the request's event loop is gone (shutdown); the rows are stored
                pass
