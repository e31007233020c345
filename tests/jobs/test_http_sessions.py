"""The HTTP client behind the Twilio calls: one per runner, closed when the
runner stops, whatever became of the calls made through it (sent, timed out,
refused, stopped midway). aiohttp reports a session left open when it is
collected, as a ResourceWarning and through the event loop's exception
handler ("Unclosed client session"): neither may happen.

(A send stopped midway leaves nothing open either way: aiohttp closes the
connection of a cancelled request itself.)"""

from __future__ import annotations

import asyncio
import gc
import warnings
from contextlib import contextmanager
from dataclasses import replace

from jobs import runner
from models import OutboxMessage, OutboxStatus
from tests.support.outbox import enqueue_sms, twilio, wait_until_settled  # noqa: F401
from tests.support.servers import REFUSING_PORT


@contextmanager
def unclosed_resources():
    """Collects what aiohttp (or anything else) reports as left open inside
    the block, after a full garbage collection at its end."""
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context.get("message", "")))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            yield reported
            gc.collect()
        reported += [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    finally:
        loop.set_exception_handler(previous)


async def _run_until_settled(settings, ids) -> None:
    jobs = runner.InProcessRunner(settings)
    await jobs.start()
    try:
        await wait_until_settled(ids, timeout=30)
    finally:
        await jobs.stop()


async def test_sends_that_time_out_or_succeed_leave_no_http_session_open(demo, twilio, runtime):
    ids = await enqueue_sms(demo["demo"].clinic.id, 4)
    twilio.sandbox.set_fault("hang", count=4, delay=2.0)  # each first attempt times out
    with unclosed_resources() as reported:
        await _run_until_settled(runtime.settings, ids)
        assert {r.status for r in await OutboxMessage.filter(id__in=ids)} == {OutboxStatus.SENT}
        assert twilio.sandbox.requests > len(ids)  # the time-outs happened
    assert reported == []


async def test_sends_that_cannot_connect_leave_no_http_session_open(demo, twilio, runtime):
    settings = replace(runtime.settings, twilio_api_base=f"http://127.0.0.1:{REFUSING_PORT}", jobs_max_attempts=2)
    ids = await enqueue_sms(demo["demo"].clinic.id, 3)
    with unclosed_resources() as reported:
        await _run_until_settled(settings, ids)
        rows = await OutboxMessage.filter(id__in=ids)
        assert {r.status for r in rows} == {OutboxStatus.DEAD}
        assert all("could not be reached" in r.last_error for r in rows)
    assert reported == []

