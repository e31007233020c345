"""`GET /metrics`: real scrapes after real bookings, cancellations, job runs
and live events; who may scrape."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import httpx
from prometheus_client import REGISTRY

from app import create_app
from jobs import runner
from jobs.context import JobContext
from models import OutboxMessage, OutboxStatus, utcnow
from realtime.hub import Hub
from tests.support.channel_log import ListLog, text
from tests.conftest import TEST_SETTINGS, client_token
from tests.support.booking import BOOK, CANCEL, at, book_input
from tests.support.metrics import delta, scrape, value
from tests.support.outbox import enqueue_sms
from tests.support.redis_server import own_redis  # noqa: F401  (fixture)

NAMED_BOOK = BOOK.replace("mutation(", "mutation Book(", 1)
NAMED_CANCEL = CANCEL.replace("mutation(", "mutation Cancel(", 1)
ANN = {"fullName": "Ann Lee", "email": "ann.lee@example.com", "phone": "+447700900555"}


async def _book(api, demo, token=None, **kw) -> dict:
    return (await api.data(NAMED_BOOK, {"input": book_input(demo, **kw)}, token))["bookAppointment"]


async def test_a_scrape_counts_operations_bookings_cancellations_and_error_codes(api, demo):
    before = await scrape(api.http)
    online = await _book(api, demo, client=ANN, start=at(5, 10))
    token = await client_token(api)
    portal = await _book(api, demo, token, start=at(5, 14))
    taken = await _book(api, demo, token, start=at(5, 10), practitionerId=online["appointment"]["practitioner"]["id"])
    assert online["userErrors"] == portal["userErrors"] == []
    assert [e["code"] for e in taken["userErrors"]] == ["SLOT_UNAVAILABLE"]
    cancelled = (await api.data(NAMED_CANCEL, {"id": portal["appointment"]["id"]}, token))["cancelAppointment"]
    assert cancelled["userErrors"] == []
    after = await scrape(api.http)

    assert delta(before, after, "clinicportal_bookings_total", source="ONLINE") == 1
    assert delta(before, after, "clinicportal_bookings_total", source="PORTAL") == 1
    assert delta(before, after, "clinicportal_cancellations_total", source="PORTAL") == 1
    assert delta(before, after, "clinicportal_graphql_requests_total", operation="Book", outcome="ok") == 2
    assert delta(before, after, "clinicportal_graphql_requests_total", operation="Book", outcome="expected_error") == 1
    assert delta(before, after, "clinicportal_graphql_requests_total", operation="Cancel", outcome="ok") == 1
    assert delta(before, after, "clinicportal_graphql_errors_total", operation="Book", code="SLOT_UNAVAILABLE") == 1
    assert delta(before, after, "clinicportal_graphql_request_duration_seconds_count", operation="Book", outcome="ok") == 2
    assert delta(before, after, "clinicportal_graphql_request_duration_seconds_sum", operation="Book", outcome="ok") > 0


async def test_a_scrape_reads_the_outbox_by_state_and_the_age_of_the_oldest_due_row(api, demo):
    await _book(api, demo, client=ANN)  # queues its confirmations; no job runs in this test
    pending = await OutboxMessage.filter(status=OutboxStatus.PENDING).order_by("due_at")
    assert pending
    await OutboxMessage.filter(id=pending[0].id).update(due_at=utcnow() - timedelta(minutes=10))
    await OutboxMessage.filter(id=pending[-1].id).update(due_at=utcnow() + timedelta(days=1))  # waiting: not due
    samples = await scrape(api.http)
    for state in OutboxStatus:
        count = await OutboxMessage.filter(status=state).count()
        assert value(samples, "clinicportal_outbox_rows", state=state.value) == count
        assert ("clinicportal_outbox_rows", frozenset({"state": state.value}.items())) in samples  # named even at 0
    assert 600 <= value(samples, "clinicportal_outbox_oldest_due_age_seconds") < 660
    assert value(samples, "clinicportal_outbox_stats_up") == 1


async def test_job_durations_and_dead_letters_are_counted(api, demo, runtime):
    before = await scrape(api.http)
    [row_id] = await enqueue_sms(demo["demo"].clinic.id, 1)
    settings = replace(runtime.settings, jobs_max_attempts=1)  # Twilio refuses the connection: dead at once
    async with JobContext(settings) as jobs:
        assert await runner.deliver(row_id, jobs) == OutboxStatus.DEAD
    after = await scrape(api.http)
    assert delta(before, after, "clinicportal_job_duration_seconds_count", kind="sms", outcome="dead") == 1
    assert delta(before, after, "clinicportal_outbox_dead_letters_total", kind="sms") == 1
    dead = await OutboxMessage.filter(status=OutboxStatus.DEAD).count()
    assert value(after, "clinicportal_outbox_rows", state="DEAD") == dead >= 1


async def test_live_subscribers_and_the_delivery_lag_are_measured(api, demo):
    log = ListLog()
    hub = Hub(log)
    await hub.start()
    try:
        before = await scrape(api.http)
        async with hub.subscribe("clinic:test:calendar") as subscriber:
            during = await scrape(api.http)
            await hub.publish([("clinic:test:calendar", log.append("clinic:test:calendar", "hello"))])
            assert text(await subscriber.next()) == "hello"
        after = await scrape(api.http)
    finally:
        await hub.stop()
    assert delta(before, during, "clinicportal_live_subscribers") == 1
    assert delta(before, after, "clinicportal_live_subscribers") == 0
    assert delta(before, after, "clinicportal_live_delivery_lag_seconds_count") == 1


def _app(backend, client: tuple[str, int], **settings) -> httpx.AsyncClient:
    app = create_app(replace(TEST_SETTINGS, database_url=backend.url, **settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=client), base_url="http://testserver")


async def test_without_a_token_only_loopback_callers_are_answered(backend, demo):
    async with _app(backend, ("203.0.113.9", 40000)) as public:
        refused = await public.get("/metrics")
        assert refused.status_code == 403 and "clinicportal" not in refused.text
    for loopback in ("127.0.0.1", "::1"):
        async with _app(backend, (loopback, 40000)) as local:
            assert (await local.get("/metrics")).status_code == 200


async def test_with_a_token_every_caller_must_bring_it(backend, demo):
    async with _app(backend, ("127.0.0.1", 40000), metrics_token="s3cret-metrics") as local:
        for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": "Basic s3cret-metrics"}):
            refused = await local.get("/metrics", headers=headers)
            assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    async with _app(backend, ("203.0.113.9", 40000), metrics_token="s3cret-metrics") as public:
        samples = await scrape(public, authorization="Bearer s3cret-metrics")
        assert value(samples, "clinicportal_outbox_stats_up") == 1


async def test_openmetrics_is_served_to_who_asks_for_it(api, demo):
    response = await api.http.get("/metrics", headers={"accept": "application/openmetrics-text; version=1.0.0"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


async def test_redis_reconnects_are_counted(own_redis):
    from realtime.redis_backend import ResilientRedisBackend

    def reconnects() -> float:
        return REGISTRY.get_sample_value("clinicportal_redis_reconnects_total") or 0.0

    backend = ResilientRedisBackend(own_redis.url)
    await backend.connect()
    try:
        await backend.subscribe("clinic:test:calendar")  # a process listens while it has subscribers
        await asyncio.wait_for(backend.connected.wait(), 10)
        before = reconnects()
        own_redis.stop()
        await _until(lambda: not backend.connected.is_set())
        own_redis.start()
        await asyncio.wait_for(backend.connected.wait(), 20)
        assert reconnects() == before + 1
    finally:
        await backend.disconnect()


async def _until(condition, timeout: float = 20) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")
