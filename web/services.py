"""The process's runtime as the API server builds it, and what of it must
be started and stopped with the app."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from jobs.runner import InProcessRunner
from models.db import close_db, init_db
from realtime import hub as live_hub
from realtime.events import ChannelLog
from realtime.relay import Relay
from resolvers.booking import live, waitlist_offers
from resolvers.core.ratelimit import RedisRateLimiter
from resolvers.core.runtime import Runtime, no_job_runner
from settings import Settings
from telemetry import metrics

log = logging.getLogger("clinicportal.waitlist")

LAPSED_OFFERS_EVERY_SECONDS = 60


async def pass_on_lapsed_offers(runtime: Runtime) -> None:
    """Waitlist offers held for the first in line that ran out unclaimed go
    to the next in line, and holds that ran out are let go (the waitlist is
    offered their time): resolvers/booking/waitlist_offers.py."""
    while True:
        await asyncio.sleep(LAPSED_OFFERS_EVERY_SECONDS)
        try:
            await waitlist_offers.pass_on_lapsed(runtime)
            await waitlist_offers.let_go_of_lapsed_holds(runtime)
        except Exception:  # noqa: BLE001 - try again next time
            log.exception("passing on lapsed waitlist offers and holds failed")


class Services:
    """Without Redis (the embedded default) the process runs its own jobs
    and delivers live events within itself; with Redis, rate limits and live
    events are shared through it and `clinicportal worker` runs the jobs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redis = Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=1) if settings.redis_url else None
        self.jobs = None if settings.redis_url else InProcessRunner(settings)
        hub = live_hub.build(
            settings.redis_url, ChannelLog(), prepare=live.prepare_delivery, catch_up_seconds=settings.live_catch_up_seconds
        )
        self.relay = Relay(hub, settings.event_relay_poll_seconds)
        self.runtime = Runtime.build(
            settings,
            limiter=RedisRateLimiter(self.redis) if self.redis else None,
            hub=hub,
            wake_jobs=self.jobs.wake if self.jobs else no_job_runner,
            wake_relay=self.relay.wake,
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await init_db(self.settings.database_url)
        await self.runtime.hub.start()
        await self.relay.start()
        if self.jobs is not None:
            await self.jobs.start()
        # Everything loaded so far (modules, the schema, the ORM) lives as
        # long as the process: keep it out of the full collections, which
        # otherwise stall every live fan-out they land in.
        gc.collect()
        gc.freeze()
        lapsed = asyncio.create_task(pass_on_lapsed_offers(self.runtime), name="waitlist-lapsed-offers")
        try:
            yield
        finally:
            lapsed.cancel()
            if self.jobs is not None:
                await self.jobs.stop()
            await self.relay.stop()
            await self.runtime.hub.stop()
            await close_db()
            if self.redis is not None:
                await self.redis.aclose()
            if self.settings.metrics_multiproc_dir:
                metrics.process_exiting(os.getpid())


@asynccontextmanager
async def database_only(settings: Settings) -> AsyncIterator[None]:
    """For an app whose runtime belongs to someone else (a test, a
    benchmark): its owner starts and stops the hub and the jobs."""
    await init_db(settings.database_url)
    try:
        yield
    finally:
        await close_db()
