"""`clinicportal worker`: outbox rows carried out through SAQ on Redis.

Each worker process runs a relay that, every `jobs_poll_seconds`, turns due
outbox rows into SAQ jobs keyed `outbox:{row id}:{attempts}` (SAQ keeps one
job per key, so any number of relays enqueue each attempt once), and a SAQ
worker that runs them (`deliver`) and the hourly clean-up (a SAQ cron job,
once per queue whatever the number of workers). The database row stays the
truth: if Redis loses its jobs, the relays enqueue them again; if a worker
dies mid-job, the row's lease runs out and the next attempt is enqueued."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from saq import CronJob, Queue, Worker

from jobs import cleanup, runner
from jobs.context import JobContext
from jobs.handlers import HANDLERS
from settings import Settings

log = logging.getLogger("clinicportal.jobs")

QUEUE_NAME = "clinicportal-outbox"
CLEANUP_CRON = "17 * * * *"  # hourly
RELAY_BATCH = 500


def _jobs(ctx: dict[str, Any]) -> JobContext:
    return ctx["jobs"]


async def deliver(ctx: dict[str, Any], *, message_id: str) -> str:
    return await runner.deliver(uuid.UUID(message_id), _jobs(ctx))


async def clean_up(ctx: dict[str, Any]) -> dict[str, int]:
    return await cleanup.run(_jobs(ctx).settings)


async def relay_once(queue: Queue, settings: Settings) -> int:
    """Enqueues a SAQ job for each due row; answers how many were new."""
    timeout = max(1, int(settings.jobs_lease_seconds * 0.8))  # stopped before its lease runs out
    enqueued = 0
    for row_id, attempts in await runner.due(RELAY_BATCH):
        job = await queue.enqueue(
            "deliver", message_id=str(row_id), key=f"outbox:{row_id}:{attempts}", timeout=timeout, retries=1, ttl=600
        )
        enqueued += job is not None
    return enqueued


async def _relay(queue: Queue, settings: Settings) -> None:
    while True:
        try:
            await relay_once(queue, settings)
        except Exception:  # noqa: BLE001 - database or Redis away: keep trying
            log.exception("outbox relay failed; trying again")
        await asyncio.sleep(settings.jobs_poll_seconds)


def build_worker(settings: Settings, queue: Queue) -> Worker:
    """The worker's `JobContext` (the HTTP client its jobs share) opens at
    its startup and closes at its shutdown."""

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["jobs"] = JobContext(settings)

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "jobs" in ctx:
            await ctx["jobs"].aclose()

    return Worker(
        queue,
        functions=[deliver],
        cron_jobs=[CronJob(clean_up, cron=CLEANUP_CRON, timeout=600)],
        concurrency=settings.jobs_concurrency,
        startup=startup,
        shutdown=shutdown,
        # A job whose worker died is swept (and its key freed for the relay)
        # about as soon as its row's lease has run out.
        timers={"sweep": max(1, min(60, settings.jobs_lease_seconds // 2))},
    )


async def run(settings: Settings) -> None:
    """Until SIGINT or SIGTERM. The caller has opened the database."""
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: the API process runs the jobs itself.")
    queue = Queue.from_url(settings.redis_url, name=QUEUE_NAME)
    await queue.connect()
    worker = build_worker(settings, queue)
    relay = asyncio.create_task(_relay(queue, settings), name="outbox-relay")
    log.info("worker %s: handlers %s", worker.id, ", ".join(sorted(HANDLERS)))
    try:
        await worker.start()
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
        await queue.disconnect()
