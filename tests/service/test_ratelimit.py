"""Rate limits shared through Redis: two server processes enforce one bucket per key, not one each."""

from __future__ import annotations

import os
import uuid

import pytest

from service.ratelimit import RedisRateLimiter, rate_limiter

REDIS_URL = os.environ.get("LAPOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def prefix():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {REDIS_URL} is unreachable ({exc}); CI starts it")
    name = f"lt-test-{uuid.uuid4().hex[:10]}:"  # this test run's keys only
    yield name
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


def test_two_processes_share_one_bucket_per_key(prefix):
    a = RedisRateLimiter(REDIS_URL, rate=0.01, burst=4, prefix=prefix)
    b = RedisRateLimiter(REDIS_URL, rate=0.01, burst=4, prefix=prefix)
    assert [a.take(7), b.take(7), a.take(7), b.take(7)] == [0.0] * 4
    wait = b.take(7)
    assert 0 < wait <= 100.0 and a.take(7) > 0  # the fifth request is refused on both
    assert a.take(8) == 0.0  # another key has its own bucket


def test_tokens_refill_at_the_rate(prefix):
    limiter = RedisRateLimiter(REDIS_URL, rate=50.0, burst=1, prefix=prefix)
    assert limiter.take(1) == 0.0
    wait = limiter.take(1)
    assert 0 < wait <= 0.02 + 1e-6
    import time

    time.sleep(wait + 0.01)
    assert limiter.take(1) == 0.0


def test_unreachable_redis_falls_back_to_the_process_limit():
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", rate=0.01, burst=2, prefix="unused:")
    assert [limiter.take(1), limiter.take(1)] == [0.0, 0.0]
    assert limiter.take(1) > 0  # still limited, by this process's own bucket


def test_without_a_redis_url_limits_are_per_process():
    from pipeline.settings import Settings
    from service.auth import RateLimiter

    assert type(rate_limiter(Settings(redis_url=None))) is RateLimiter
    assert type(rate_limiter(Settings(redis_url=REDIS_URL))) is RedisRateLimiter
