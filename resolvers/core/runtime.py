"""What the use cases need of the process, built once at start-up by
whoever runs them (the app, the CLI, the worker, a test) and passed in:
the settings, the password hasher, the rate limiter, the live event hub and
ways to wake the event relay and the job runner, and what the process keeps
of each clinic. Nothing here is reached for globally."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher

from realtime.hub import Hub
from resolvers.core.clinic_cache import ClinicCache
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.ratelimit import MemoryRateLimiter, RateLimiter
from settings import Settings


def no_job_runner() -> None:
    """The waker of a process that runs no jobs: the worker's poll finds
    what was queued."""


def no_relay() -> None:
    """The waker of a process that relays no events (the CLI): the API
    processes' relays find them at their next poll."""


@dataclass
class Runtime:
    settings: Settings
    hasher: PasswordHasher
    limiter: RateLimiter
    dummy_hash: str  # verified for unknown accounts, so they answer as slowly as known ones
    hub: Hub | None  # None: this process publishes no live events (the CLI)
    wake_jobs: Callable[[], None]  # after a commit that queued work due now
    wake_relay: Callable[[], None]  # after a commit that wrote events
    clinics: ClinicCache = field(default_factory=ClinicCache)  # what the process keeps of each clinic

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        limiter: RateLimiter | None = None,
        hub: Hub | None = None,
        wake_jobs: Callable[[], None] = no_job_runner,
        wake_relay: Callable[[], None] = no_relay,
    ) -> Runtime:
        """`limiter` defaults to one that counts in this process only: right
        for one process, and for the CLI."""
        hasher = PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib)
        return cls(
            settings=settings,
            hasher=hasher,
            limiter=limiter or MemoryRateLimiter(),
            dummy_hash=hasher.hash("not-a-password"),
            hub=hub,
            wake_jobs=wake_jobs,
            wake_relay=wake_relay,
        )

    def changes_committed(self) -> None:
        """After an appointment change commits: the relay carries its events
        (written in its transaction) to the calendars now, and the job runner
        looks at what it queued."""
        self.wake_relay()
        self.wake_jobs()

    async def check_rate(self, key: str, limit: int, message: str, window_seconds: int | None = None) -> None:
        """Counts one attempt under `key`; RATE_LIMITED past `limit` in the
        window (the sign-in window unless given)."""
        retry_after = await self.limiter.hit(key, limit, window_seconds or self.settings.signin_window_seconds)
        if retry_after is not None:
            raise DomainError(
                ErrorCode.RATE_LIMITED,
                f"{message} Try again in {retry_after} seconds.",
                retry_after_seconds=retry_after,
            )
