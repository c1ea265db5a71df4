"""Background threads of a server process give way to requests: what they share is the GIL, not the cores.

A thread in pure-Python work keeps the GIL for up to the switch interval (5 ms) each time a request thread wants it
back after a database round trip. While the recurring groups were restored at start-up (200,000 complaints: 49,000
in the window, about 4 s), console pages of a few dozen round trips took 150–250 ms instead of 17 ms, and one in
ten up to 2 s. The ASGI middleware :class:`RequestCounter` counts the requests in flight; a background loop calls
:func:`give_way` between items (each well under a millisecond), which sleeps while there are any, at most
:data:`MAX_WAIT_SECONDS` a call so the work still ends under constant load, and costs nothing on an idle server.
(``sleep(0)`` is not enough: the sleeper often wins the GIL straight back.) What such work builds to last leaves the
cyclic collector's scans once built (:func:`keep_out_of_collections`), as the server's start-up state does.
"""

from __future__ import annotations

import gc
import threading
import time

PAUSE_SECONDS = 0.001
MAX_WAIT_SECONDS = 0.05  # per call: under constant load the background work still moves on
_in_flight = 0  # requests this process is serving (every event loop of it: tests run several apps at once)
_lock = threading.Lock()


class RequestCounter:
    """Pure ASGI: counts the HTTP requests this process is serving."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        global _in_flight
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        with _lock:
            _in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            with _lock:
                _in_flight -= 1


def requests_in_flight() -> int:
    return _in_flight


def give_way() -> None:
    """Wait while requests are being served, up to :data:`MAX_WAIT_SECONDS` (call it every millisecond or so of
    work): the requests then run as on an idle server, and the background work in the gaps between them."""
    for _ in range(round(MAX_WAIT_SECONDS / PAUSE_SECONDS)):
        if not _in_flight:
            return
        time.sleep(PAUSE_SECONDS)


def keep_out_of_collections(reclaim: bool = False) -> None:
    """Move everything alive now out of the cyclic collector's sight (``gc.freeze``), after one collection so no
    garbage is kept: for what is built to last after the server froze its start-up state — the recurring groups
    its restore thread builds (49,000 complaints: unfrozen, every full collection during requests rescanned them,
    8 collections of up to 47 ms in 15 dashboard requests), a model promoted without a restart (14-20 ms more per
    full collection). ``reclaim``: unfreeze first, so what was frozen and has been released since (a replaced
    model) is collected too: one full pass over the heap (~0.1 s), for a rare event."""
    if reclaim:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
