"""The in-process runner (the embedded default) against a Twilio stand-in
that fails for a while and then recovers: every message arrives exactly
once, and bookings neither fail nor wait while Twilio is down."""

from __future__ import annotations

import statistics
import time

import pytest

from jobs import runner
from models import OutboxMessage, OutboxStatus, utcnow
from tests.support.booking import BOOK, at, book_input
from tests.conftest import client_token
from tests.support.outbox import deliveries_by_row, enqueue_sms, twilio, wait_until_settled  # noqa: F401

MESSAGES = 20
OUTAGE_SECONDS = 1.5


@pytest.mark.parametrize("fault", ["500", "429", "hang"])
async def test_twilio_failing_for_a_while_then_recovering_delivers_each_sms_exactly_once(api, demo, twilio, fault, runtime):
    ids = await enqueue_sms(demo["demo"].clinic.id, MESSAGES)
    twilio.sandbox.set_fault(fault, seconds=OUTAGE_SECONDS, delay=2.0)
    jobs = runner.InProcessRunner(runtime.settings)
    runtime.wake_jobs = jobs.wake  # as the app's own runtime is woken
    await jobs.start()
    try:
        done = await wait_until_settled(ids)
    finally:
        await jobs.stop()
    counts = deliveries_by_row(twilio)
    assert set(counts) == {str(i) for i in ids}
    assert max(counts.values()) == 1
    rows = await OutboxMessage.filter(id__in=ids)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert max(r.attempts for r in rows) > 1  # the fault was felt
    after_recovery = done - twilio.sandbox.recovered_at
    print(
        f"\n[figures] fault={fault}: {len(counts)} messages sent, {sum(counts.values()) - len(counts)} duplicates,"
        f" {twilio.sandbox.requests} requests to Twilio, max attempts {max(r.attempts for r in rows)},"
        f" all delivered {after_recovery:.2f}s after recovery"
    )


async def _book_many(api, demo, token, day: int) -> list[float]:
    took = []
    for hour, minute in ((9, 0), (10, 30), (12, 0), (13, 30), (15, 0)):
        started = time.perf_counter()
        booked = (await api.data(BOOK, {"input": book_input(demo, start=at(day, hour, minute))}, token))["bookAppointment"]
        took.append(time.perf_counter() - started)
        assert booked["userErrors"] == [], booked
    return took


async def test_bookings_succeed_and_only_enqueue_while_twilio_is_down(api, demo, twilio, runtime):
    token = await client_token(api)
    jobs = runner.InProcessRunner(runtime.settings)
    runtime.wake_jobs = jobs.wake  # as the app's own runtime is woken
    await jobs.start()
    try:
        healthy = await _book_many(api, demo, token, 5)
        await wait_until_settled([r.id for r in await OutboxMessage.filter(kind="sms", status=OutboxStatus.PENDING, due_at__lte=utcnow())])
        twilio.sandbox.set_fault("hang", seconds=3600, delay=5.0)
        sent_before = len(twilio.sandbox.messages)
        down = await _book_many(api, demo, token, 6)
        confirmations = [
            r for r in await OutboxMessage.filter(kind="sms", status=OutboxStatus.PENDING) if r.payload["purpose"] == "confirmation"
        ]
        assert len(confirmations) == 5
        assert len(twilio.sandbox.messages) == sent_before
    finally:
        await jobs.stop()
    print(
        f"\n[figures] booking latency, median of 5: {statistics.median(healthy) * 1000:.1f} ms with Twilio up,"
        f" {statistics.median(down) * 1000:.1f} ms with Twilio hanging"
    )
