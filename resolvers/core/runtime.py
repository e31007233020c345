"""Process-wide collaborators of the use cases, set once at start-up by the
app or the CLI: the settings, the password hasher and the rate limiter."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher

from resolvers.core.ratelimit import MemoryRateLimiter, RateLimiter
from settings import Settings


@dataclass
class Runtime:
    settings: Settings
    hasher: PasswordHasher
    limiter: RateLimiter
    dummy_hash: str  # verified for unknown accounts, so they answer as slowly as known ones


def _build(settings: Settings, limiter: RateLimiter | None = None) -> Runtime:
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
    )
    return Runtime(
        settings=settings,
        hasher=hasher,
        limiter=limiter or MemoryRateLimiter(),
        dummy_hash=hasher.hash("not-a-password"),
    )


_current: Runtime | None = None


def configure(settings: Settings, limiter: RateLimiter | None = None) -> Runtime:
    global _current
    _current = _build(settings, limiter)
    return _current


def current() -> Runtime:
    global _current
    if _current is None:
        _current = _build(Settings())
    return _current
