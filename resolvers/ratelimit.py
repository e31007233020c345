"""Fixed-window rate limits, in memory for one process or in Redis for many.

`hit(key, limit, window)` counts one attempt and answers how many seconds
to wait when the limit is passed, or None when the attempt may go ahead."""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int) -> int | None: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        now = time.monotonic()
        if len(self._windows) > 100_000:
            self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
        ends, count = self._windows.get(key, (0.0, 0))
        if ends <= now:
            ends, count = now + window_seconds, 0
        count += 1
        self._windows[key] = (ends, count)
        return None if count <= limit else max(1, int(ends - now + 0.999))


class RedisRateLimiter:
    def __init__(self, redis: Redis, prefix: str = "ratelimit:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds, nx=True)
            pipe.ttl(name)
            count, _, ttl = await pipe.execute()
        return None if count <= limit else max(1, int(ttl))
