"""Shared by the job tests: the Twilio stand-in, fast retry settings, and
ways to run the outbox until it settles."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from jobs import runner
from jobs.context import JobContext
from jobs.sandbox import RunningSandbox, start_twilio_sandbox
from models import OutboxMessage, OutboxStatus
from resolvers.notifications.outbox import enqueue
from settings import Settings
from tests.support.environment import TEST_SETTINGS
from tests.support.servers import free_port

FAST_JOBS = {
    "jobs_poll_seconds": 0.1,
    "jobs_retry_base_seconds": 0.1,
    "jobs_retry_max_seconds": 0.4,
    "jobs_max_attempts": 200,
    "jobs_lease_seconds": 3,
    "twilio_timeout_seconds": 0.5,
}


@pytest.fixture
async def twilio(backend, demo, runtime) -> RunningSandbox:
    """A Twilio stand-in on a free port, and the test runtime's settings pointing at it."""
    sandbox = await start_twilio_sandbox(port=free_port())
    runtime.settings = replace(TEST_SETTINGS, database_url=backend.url, twilio_api_base=sandbox.url, **FAST_JOBS)
    try:
        yield sandbox
    finally:
        await sandbox.stop()


@pytest.fixture
async def jobs(twilio, runtime) -> JobContext:
    """A job context for handlers run by the test itself, with the settings
    of the `twilio` fixture; closed after the test."""
    async with JobContext(runtime.settings) as context:
        yield context


async def drain(settings: Settings, limit: int = 100, kinds: tuple[str, ...] = ("sms",)) -> list[str]:
    """Runs every row of `kinds` that is due now, once each, until none is;
    answers the outcomes. (A booking also queues e-mails, which these tests
    leave alone.)"""
    outcomes = []
    async with JobContext(settings) as jobs:
        for _ in range(limit):
            due = [row_id for row_id, _ in await runner.due(100)]
            found = await OutboxMessage.filter(id__in=due, kind__in=kinds).values_list("id", "attempts")
            if not found:
                return outcomes
            outcomes += await asyncio.gather(*(runner.deliver(row_id, jobs) for row_id, _ in found))
    raise AssertionError(f"the outbox did not settle: {outcomes[-20:]}")


async def sms_rows(clinic_id: uuid.UUID, purpose: str | None = None) -> list[OutboxMessage]:
    rows = await OutboxMessage.filter(clinic_id=clinic_id, kind="sms").order_by("due_at")
    return [r for r in rows if purpose is None or r.payload.get("purpose") == purpose]


async def enqueue_sms(clinic_id: uuid.UUID, count: int, to: str = "+447700900123") -> list[uuid.UUID]:
    rows = [
        await enqueue(clinic_id, "sms", {"to": to, "body": f"Message {n}", "client_id": None, "purpose": "test"})
        for n in range(count)
    ]
    return [row.id for row in rows]


def deliveries_by_row(sandbox: RunningSandbox) -> Counter:
    """How many times the stand-in accepted each outbox row (named in the status callback URL)."""
    counts: Counter = Counter()
    for message in sandbox.sandbox.messages:
        ref = parse_qs(urlsplit(message["status_callback"] or "").query).get("m", [""])[0]
        counts[ref] += 1
    return counts


async def wait_until_settled(ids: list[uuid.UUID], timeout: float = 60) -> float:
    """Waits until none of the rows is PENDING; answers the monotonic time it happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = await OutboxMessage.filter(id__in=ids, status=OutboxStatus.PENDING).count()
        if pending == 0:
            return time.monotonic()
        await asyncio.sleep(0.05)
    statuses = Counter(await OutboxMessage.filter(id__in=ids).values_list("status", flat=True))
    raise AssertionError(f"rows still pending after {timeout}s: {statuses}")
