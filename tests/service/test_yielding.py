"""Background work gives way to requests in flight: counted by the ASGI middleware, waited out by give_way."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from service import yielding


def _serve(app, scope_type: str = "http") -> None:
    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        pass

    asyncio.run(yielding.RequestCounter(app)({"type": scope_type}, receive, send))


def test_a_request_counts_as_in_flight_while_it_is_served_and_not_after_it_failed():
    seen = []

    async def app(scope, receive, send):
        seen.append(yielding.requests_in_flight())
        if len(seen) == 2:
            raise RuntimeError("handler failed")

    _serve(app)
    with pytest.raises(RuntimeError):
        _serve(app)
    _serve(app, "lifespan")  # not a request
    assert seen == [1, 1, 0]
    assert yielding.requests_in_flight() == 0


def test_give_way_waits_while_a_request_is_served_but_never_longer_than_its_bound(monkeypatch):
    slept = []
    monkeypatch.setattr(yielding.time, "sleep", slept.append)
    yielding.give_way()
    assert slept == []  # an idle server: the background work goes on at once
    waits = []

    async def app(scope, receive, send):
        yielding.give_way()  # as a background thread would, while this request is in flight
        waits.append(len(slept))

    _serve(app)
    assert waits == [round(yielding.MAX_WAIT_SECONDS / yielding.PAUSE_SECONDS)]
    assert all(s == yielding.PAUSE_SECONDS for s in slept)


def _tracked(obj) -> bool:
    """Whether the cyclic collector still scans ``obj`` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def test_what_is_alive_leaves_the_collectors_scans_and_reclaim_frees_released_frozen_cycles():
    built = {"groups": [[1, 2], [3]]}  # a long-lived structure built after the server froze its start-up state
    assert _tracked(built)
    yielding.keep_out_of_collections()
    assert not _tracked(built)  # full collections during requests no longer rescan it

    class Model:  # a replaced model's cyclic parts: frozen, then released
        pass

    old = Model()
    old.me = old
    gone = weakref.ref(old)
    yielding.keep_out_of_collections()
    del old
    gc.collect()
    assert gone() is not None  # frozen garbage is never collected...
    yielding.keep_out_of_collections(reclaim=True)
    assert gone() is None  # ...unless unfrozen first, as a model switch does
