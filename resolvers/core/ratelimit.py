"""Fixed-window rate limits, in memory for one process or in Redis for many.

`hit(key, limit, window)` counts one attempt and answers how many seconds
to wait when the limit is passed, or None when the attempt may go ahead."""

from __future__ import annotations

import ipaddress
import logging
import time
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


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
    """Shared by every process. While Redis is unreachable it counts in this
    process instead, so sign-in keeps working and stays limited."""

    def __init__(self, redis: Redis, prefix: str = "ratelimit:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._fallback = MemoryRateLimiter()

    async def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        name = self._prefix + key
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, window_seconds, nx=True)
                pipe.ttl(name)
                count, _, ttl = await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("rate limits counted in-process: redis unavailable (%s)", exc)
            return await self._fallback.hit(key, limit, window_seconds)
        return None if count <= limit else max(1, int(ttl))


def network(ip: str) -> str:
    """The unit an address is counted in: an IPv6 host owns a whole /64, so
    it is counted as one."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
