"""Rate limits shared by every server process: a token bucket per API key in Redis (``LAPOR_REDIS_URL``).

One Lua script refills and takes tokens atomically, on the Redis server's clock, so N processes on
M hosts enforce one limit per key instead of N. Without ``LAPOR_REDIS_URL`` each process keeps its own
buckets (:class:`service.auth.RateLimiter`). When Redis cannot be reached the request is limited by the
process's own bucket instead — never refused because the limiter is down.
"""

from __future__ import annotations

import logging
import time

from service.auth import RateLimiter

log = logging.getLogger(__name__)

# KEYS[1] bucket; ARGV rate/s, burst, cost. Returns the seconds to wait ("0" when allowed), as a string
# because Lua numbers returned to Redis are truncated to integers.
TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens, ts = tonumber(b[1]), tonumber(b[2])
if tokens == nil then tokens, ts = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= cost then tokens = tokens - cost else wait = (cost - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""


class RedisRateLimiter:
    """The same ``take(key_id) -> seconds to wait`` as :class:`service.auth.RateLimiter`, in Redis."""

    def __init__(self, url: str, rate: float, burst: int, prefix: str = "lapor:"):
        import redis

        self.rate, self.burst = rate, max(1, burst)
        self.prefix = f"{prefix}ratelimit:"
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._take = self._redis.register_script(TAKE)
        self._fallback = RateLimiter(rate, burst)
        self._down_until = 0.0

    def take(self, key_id: int, cost: float = 1.0) -> float:
        if self.rate <= 0:
            return 0.0
        if time.monotonic() >= self._down_until:
            try:
                return float(self._take(keys=[f"{self.prefix}{key_id}"], args=[self.rate, self.burst, cost]))
            except Exception as exc:  # redis raises several types (connection, timeout, response)
                log.warning("rate limit: Redis unavailable (%s); this process limits on its own for 5 s", exc)
                self._down_until = time.monotonic() + 5.0
        return self._fallback.take(key_id, cost)


def rate_limiter(settings):
    """Redis-backed when ``settings.redis_url`` is set, else per process."""
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, settings.rate_limit_per_second, settings.rate_limit_burst,
                                settings.redis_prefix)
    return RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
