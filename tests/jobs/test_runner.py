"""The outbox runner's rules: one claimer per attempt, backoff, unknown kinds
left for a runner that knows them."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from jobs import runner
from models import OutboxMessage, OutboxStatus, utcnow
from resolvers.notifications.outbox import enqueue
from settings import Settings
from tests.support.outbox import enqueue_sms, jobs, twilio  # noqa: F401


async def test_of_many_concurrent_claims_on_one_row_exactly_one_wins(demo, twilio, runtime, jobs):
    [row_id] = await enqueue_sms(demo["demo"].clinic.id, 1)
    now = utcnow()
    claims = await asyncio.gather(*(runner.claim(row_id, runtime.settings, now) for _ in range(12)))
    assert sum(c is not None for c in claims) == 1
    row = await OutboxMessage.get(id=row_id)
    assert row.attempts == 1 and row.lease_until > now
    assert await runner.deliver(row_id, jobs) == "not claimed"  # still leased


async def test_a_row_of_a_kind_no_handler_knows_is_left_pending(demo, twilio, runtime, jobs):
    row = await enqueue(demo["demo"].clinic.id, "carrier-pigeon", {"purpose": "test"})
    assert row.id not in [row_id for row_id, _ in await runner.due(100)]
    assert await runner.deliver(row.id, jobs) == "not claimed"
    row = await OutboxMessage.get(id=row.id)
    assert row.status == OutboxStatus.PENDING and row.attempts == 0


async def test_a_failed_attempt_is_retried_later_and_the_lease_released(demo, twilio, runtime, jobs):
    twilio.sandbox.set_fault("500", count=1)
    [row_id] = await enqueue_sms(demo["demo"].clinic.id, 1)
    before = utcnow()
    assert await runner.deliver(row_id, jobs) == "retry"
    row = await OutboxMessage.get(id=row_id)
    assert row.status == OutboxStatus.PENDING and row.lease_until is None and row.in_doubt_since is None
    assert row.due_at > before and "500" in row.last_error


def test_retry_delays_double_from_the_base_up_to_the_maximum():
    s = replace(Settings(), jobs_retry_base_seconds=10, jobs_retry_max_seconds=1800)
    for attempts, nominal in ((1, 10), (2, 20), (5, 160), (8, 1280), (9, 1800), (15, 1800)):
        delay = runner.retry_delay(s, attempts)
        assert nominal * 0.8 <= delay <= nominal * 1.2


def test_the_default_retries_ride_out_more_than_an_hour_of_outage():
    s = Settings()
    worst_case = sum(runner.retry_delay(replace(s), n) / 1.2 for n in range(1, s.jobs_max_attempts))
    assert worst_case > 3600


async def test_a_send_stopped_midway_frees_the_row_at_once_and_the_next_attempt_looks_first(demo, twilio, runtime, jobs):
    twilio.sandbox.set_fault("latency", seconds=3600, delay=1.0)
    [row_id] = await enqueue_sms(demo["demo"].clinic.id, 1)
    attempt = asyncio.create_task(runner.deliver(row_id, jobs))
    while twilio.sandbox.requests == 0:
        await asyncio.sleep(0.01)
    attempt.cancel()
    await asyncio.gather(attempt, return_exceptions=True)
    row = await OutboxMessage.get(id=row_id)
    assert row.status == OutboxStatus.PENDING and row.lease_until is None and row.in_doubt_since is not None
    twilio.sandbox.set_fault("none")
    await asyncio.sleep(1.2)  # the stopped request has been dropped by the stand-in
    assert await runner.deliver(row_id, jobs) == "SENT"
    assert len(twilio.sandbox.messages) == 1


async def test_stopping_the_in_process_runner_frees_the_sends_in_flight(demo, twilio, runtime):
    twilio.sandbox.set_fault("latency", seconds=3600, delay=5.0)
    [row_id] = await enqueue_sms(demo["demo"].clinic.id, 1)
    jobs = runner.InProcessRunner(runtime.settings)
    runtime.wake_jobs = jobs.wake  # as the app's own runtime is woken
    await jobs.start()
    try:
        for _ in range(500):
            if twilio.sandbox.requests:
                break
            await asyncio.sleep(0.01)
        assert twilio.sandbox.requests == 1
    finally:
        await jobs.stop()
    row = await OutboxMessage.get(id=row_id)
    assert row.status == OutboxStatus.PENDING and row.lease_until is None and row.in_doubt_since is not None
