"""Partner access: API keys made and revoked through GraphQL, a rate limit
per key, and signed webhooks for appointment events."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import time
from dataclasses import replace

import pytest
from redis.asyncio import Redis

from jobs.context import JobContext
from jobs.handlers import HANDLERS
from jobs.registry import Permanent
from jobs.webhooks import deliver_webhook
from models import Credential, OutboxMessage, WebhookEndpoint
from resolvers.core.ratelimit import RedisRateLimiter
from tests.support.admin import USER_ERRORS, codes, partner_key, practitioner_token, top_level_code
from tests.support.booking import BOOK, CANCEL, RESCHEDULE, at, book_input
from tests.conftest import TEST_SETTINGS, staff_token
from tests.support.webhook_receiver import webhook_receiver

CREATE_KEY = (
    "mutation($s: [ApiScope!]!, $n: String, $r: Int) { createApiKey(scopes: $s, name: $n, rateLimitPerMinute: $r) {"
    f" key apiKey {{ id name scopes rateLimitPerMinute revokedAt }} {USER_ERRORS} }} }}"
)
REVOKE_KEY = f"mutation($id: ID!) {{ revokeApiKey(id: $id) {{ apiKey {{ id revokedAt }} {USER_ERRORS} }} }}"
API_KEYS = "{ apiKeys { id name scopes revokedAt } }"
CALENDAR = '{ calendar(from: "2027-01-01T00:00:00Z", to: "2027-01-02T00:00:00Z") { id } }'
CREATE_HOOK = (
    "mutation($u: String!, $e: [WebhookEvent!]!) { createWebhookEndpoint(url: $u, events: $e, description: \"CRM\") {"
    f" secret webhookEndpoint {{ id url events active }} {USER_ERRORS} }} }}"
)
UPDATE_HOOK = (
    "mutation($id: ID!, $input: WebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $input) {"
    f" webhookEndpoint {{ id events active }} {USER_ERRORS} }} }}"
)


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as the README shows it."""
    timestamp = headers["clinicportal-timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) <= tolerance
    return fresh and hmac.compare_digest(expected, headers["clinicportal-signature"])


async def test_an_admin_creates_a_key_that_works_at_once_and_is_shown_only_once(api):
    owner = await staff_token(api)
    created = (await api.data(CREATE_KEY, {"s": ["CALENDAR", "READ"], "n": "Front desk"}, owner))["createApiKey"]
    assert created["userErrors"] == []
    key, record = created["key"], created["apiKey"]
    assert len(key) >= 43 and sorted(record["scopes"]) == ["CALENDAR", "READ"]
    assert (await api.data(CALENDAR, None, key)) == {"calendar": []}
    stored = await Credential.get(id=record["id"])
    assert stored.token_hash == hashlib.sha256(key.encode()).hexdigest()
    listed = await api.post(API_KEYS, token=owner)
    assert key not in json.dumps(listed) and [k["name"] for k in listed["data"]["apiKeys"]] == ["Front desk"]
    revoked = (await api.data(REVOKE_KEY, {"id": record["id"]}, owner))["revokeApiKey"]
    assert revoked["apiKey"]["revokedAt"] is not None
    assert top_level_code(await api.post(CALENDAR, token=key)) == "UNAUTHENTICATED"


async def test_keys_are_made_only_by_admins_and_another_clinics_key_is_not_found(api):
    for token in (await practitioner_token(api), await partner_key("demo", ["read", "book", "calendar"])):
        assert codes((await api.data(CREATE_KEY, {"s": ["READ"]}, token))["createApiKey"]) == ["UNAUTHENTICATED"]
    northside = await staff_token(api, "northside")
    theirs = (await api.data(CREATE_KEY, {"s": ["READ"]}, northside))["createApiKey"]["apiKey"]["id"]
    owner = await staff_token(api)
    assert codes((await api.data(REVOKE_KEY, {"id": theirs}, owner))["revokeApiKey"]) == ["NOT_FOUND"]
    assert (await Credential.get(id=theirs)).revoked_at is None
    assert codes((await api.data(CREATE_KEY, {"s": []}, owner))["createApiKey"]) == ["INVALID_INPUT"]
    assert codes((await api.data(CREATE_KEY, {"s": ["READ"], "r": 0}, owner))["createApiKey"]) == ["INVALID_INPUT"]


async def _use_until_limited(api, key: str, times: int) -> list:
    return [await api.http.post("/graphql", json={"query": CALENDAR}, headers={"authorization": f"Bearer {key}"}) for _ in range(times)]


async def test_each_key_has_its_own_rate_limit(api):
    owner = await staff_token(api)
    limited = (await api.data(CREATE_KEY, {"s": ["CALENDAR"], "r": 3}, owner))["createApiKey"]["key"]
    other = (await api.data(CREATE_KEY, {"s": ["CALENDAR"], "r": 3}, owner))["createApiKey"]["key"]
    responses = await _use_until_limited(api, limited, 4)
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    refused = responses[-1]
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED" and 1 <= error["extensions"]["retryAfterSeconds"] <= 60
    assert refused.headers["retry-after"] == str(error["extensions"]["retryAfterSeconds"])
    assert (await _use_until_limited(api, other, 1))[0].status_code == 200  # counted per key


async def test_keys_without_their_own_limit_follow_the_setting_and_redis_counts_across_processes(api, backend, redis_url, runtime):
    redis = Redis.from_url(redis_url)
    settings = replace(TEST_SETTINGS, database_url=backend.url, api_key_rate_per_minute=2)
    try:
        runtime.settings, runtime.limiter = settings, RedisRateLimiter(redis, prefix=f"test-ratelimit:{time.time_ns()}:")
        key = await partner_key("demo", ["calendar"])
        assert [r.status_code for r in await _use_until_limited(api, key, 3)] == [200, 200, 429]
        # A second process sharing Redis sees the same count.
        runtime.settings, runtime.limiter = settings, RedisRateLimiter(Redis.from_url(redis_url), prefix=runtime.limiter._prefix)
        assert (await _use_until_limited(api, key, 1))[0].status_code == 429
    finally:
        await redis.aclose()


async def test_webhook_urls_are_https_except_loopback_in_development(api, runtime):
    owner = await staff_token(api)
    for url in ("http://example.com/hooks", "ftp://example.com/x", "https://user:pw@example.com/x", "not a url", "https://"):
        result = (await api.data(CREATE_HOOK, {"u": url, "e": ["BOOKED"]}, owner))["createWebhookEndpoint"]
        assert codes(result) == ["INVALID_INPUT"], url
    for url in ("https://crm.example.com/hooks", "http://127.0.0.1:9/hooks", "http://localhost:9/hooks"):
        result = (await api.data(CREATE_HOOK, {"u": url, "e": ["BOOKED"]}, owner))["createWebhookEndpoint"]
        assert result["userErrors"] == [] and result["secret"].startswith("whsec_"), url
    from resolvers.notifications.webhooks import checked_url
    from resolvers.core.errors import DomainError

    runtime.settings = replace(runtime.settings, environment="production")
    for url in ("http://127.0.0.1:9/hooks", "https://10.0.0.5/hooks", "https://localhost/hooks"):
        with pytest.raises(DomainError):
            checked_url(url, ["url"], production=runtime.settings.production)
    assert checked_url("https://crm.example.com/hooks", ["url"], production=runtime.settings.production) == "https://crm.example.com/hooks"


async def test_booking_cancelling_and_rescheduling_plan_one_delivery_per_subscribed_endpoint(api, demo):
    owner = await staff_token(api)
    everything = (await api.data(CREATE_HOOK, {"u": "https://a.example/h", "e": ["BOOKED", "CANCELLED", "RESCHEDULED"]}, owner))
    only_booked = (await api.data(CREATE_HOOK, {"u": "https://b.example/h", "e": ["BOOKED"]}, owner))
    switched_off = (await api.data(CREATE_HOOK, {"u": "https://c.example/h", "e": ["BOOKED"]}, owner))
    await api.data(UPDATE_HOOK, {"id": switched_off["createWebhookEndpoint"]["webhookEndpoint"]["id"], "input": {"active": False}}, owner)
    northside = await staff_token(api, "northside")
    await api.data(CREATE_HOOK, {"u": "https://d.example/h", "e": ["BOOKED"]}, northside)
    a = everything["createWebhookEndpoint"]["webhookEndpoint"]["id"]
    b = only_booked["createWebhookEndpoint"]["webhookEndpoint"]["id"]

    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 10), clientId=str(demo["demo"].client.id))}, owner))
    appointment = booked["bookAppointment"]["appointment"]
    rows = await OutboxMessage.filter(kind="webhook").order_by("created_at")
    assert sorted(r.payload["endpoint_id"] for r in rows) == sorted([a, b])
    assert {r.payload["type"] for r in rows} == {"appointment.booked"}
    assert all(str(r.appointment_id) == appointment["id"] and r.clinic_id == demo["demo"].clinic.id for r in rows)
    assert rows[0].payload["data"]["appointment"]["status"] == "BOOKED"

    moved = (await api.data(RESCHEDULE, {"id": appointment["id"], "start": at(6, 14)}, owner))["rescheduleAppointment"]
    await api.data(CANCEL, {"id": moved["appointment"]["id"]}, owner)
    later = await OutboxMessage.filter(kind="webhook").exclude(id__in=[r.id for r in rows]).order_by("created_at")
    assert [(r.payload["type"], r.payload["endpoint_id"]) for r in later] == [
        ("appointment.rescheduled", a),
        ("appointment.cancelled", a),
    ]
    rescheduled = later[0].payload["data"]
    assert rescheduled["previousAppointment"]["id"] == appointment["id"]
    assert rescheduled["appointment"]["rescheduledFromId"] == appointment["id"]


async def test_a_booking_that_loses_its_slot_plans_no_webhook(api, demo):
    owner = await staff_token(api)
    await api.data(CREATE_HOOK, {"u": "https://a.example/h", "e": ["BOOKED"]}, owner)
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    request = book_input(demo, start=at(6, 10), clientId=str(demo["demo"].client.id), practitionerId=alex)
    assert (await api.data(BOOK, {"input": request}, owner))["bookAppointment"]["userErrors"] == []
    again = (await api.data(BOOK, {"input": request}, owner))["bookAppointment"]
    assert codes(again) == ["SLOT_UNAVAILABLE"]
    assert await OutboxMessage.filter(kind="webhook").count() == 1


async def _planned_delivery(api, demo, url: str) -> tuple[OutboxMessage, str]:
    owner = await staff_token(api)
    created = (await api.data(CREATE_HOOK, {"u": url, "e": ["BOOKED"]}, owner))["createWebhookEndpoint"]
    booked = await api.data(BOOK, {"input": book_input(demo, start=at(6, 11), clientId=str(demo["demo"].client.id))}, owner)
    assert booked["bookAppointment"]["userErrors"] == []
    return await OutboxMessage.get(kind="webhook"), created["secret"]


async def test_a_delivery_is_signed_and_a_tampered_body_fails_the_check(api, demo, runtime):
    assert HANDLERS["webhook"] is deliver_webhook
    async with webhook_receiver() as receiver:
        message, secret = await _planned_delivery(api, demo, receiver.url)
        assert await deliver_webhook(message, JobContext(runtime.settings)) == {"status": 204}
    (got,) = receiver.received
    body = json.loads(got.body)
    assert body["id"] == str(message.id) == got.headers["clinicportal-delivery"]
    assert body["type"] == "appointment.booked" and got.headers["clinicportal-event"] == "appointment.booked"
    assert body["data"]["appointment"]["id"] == str(message.appointment_id)
    assert got.headers["content-type"] == "application/json"
    assert verify(secret, got.headers, got.body)
    assert not verify(secret, got.headers, got.body.replace(b"BOOKED", b"CANCELLED"))
    assert not verify("whsec_someone-else", got.headers, got.body)
    stale = {**got.headers, "clinicportal-timestamp": str(int(got.headers["clinicportal-timestamp"]) - 3600)}
    assert not verify(secret, stale, got.body)


async def test_a_rotated_secret_signs_the_next_delivery(api, demo, runtime):
    async with webhook_receiver() as receiver:
        message, old_secret = await _planned_delivery(api, demo, receiver.url)
        owner = await staff_token(api)
        rotated = await api.data(
            f"mutation($id: ID!) {{ rotateWebhookSecret(id: $id) {{ secret {USER_ERRORS} }} }}",
            {"id": message.payload["endpoint_id"]},
            owner,
        )
        new_secret = rotated["rotateWebhookSecret"]["secret"]
        assert new_secret.startswith("whsec_") and new_secret != old_secret
        await deliver_webhook(message, JobContext(runtime.settings))
    (got,) = receiver.received
    assert verify(new_secret, got.headers, got.body) and not verify(old_secret, got.headers, got.body)


async def test_a_failed_delivery_raises_so_it_is_retried_with_the_same_delivery_id(api, demo, runtime):
    async with webhook_receiver() as receiver:
        message, secret = await _planned_delivery(api, demo, receiver.url)
        receiver.answers = [500, 410]
        with pytest.raises(Exception) as failed:
            await deliver_webhook(message, JobContext(runtime.settings))
        assert not isinstance(failed.value, Permanent)
        with pytest.raises(Permanent):  # 410 Gone: the receiver wants no more
            await deliver_webhook(message, JobContext(runtime.settings))
        assert await deliver_webhook(message, JobContext(runtime.settings)) == {"status": 204}
    ids = {r.headers["clinicportal-delivery"] for r in receiver.received}
    assert ids == {str(message.id)} and len(receiver.received) == 3
    assert all(verify(secret, r.headers, r.body) for r in receiver.received)


async def test_a_delivery_for_a_removed_or_switched_off_endpoint_is_dropped(api, demo, runtime):
    async with webhook_receiver() as receiver:
        message, _ = await _planned_delivery(api, demo, receiver.url)
        await WebhookEndpoint.filter(id=message.payload["endpoint_id"]).update(active=False)
        with pytest.raises(Permanent):
            await deliver_webhook(message, JobContext(runtime.settings))
        await WebhookEndpoint.filter(id=message.payload["endpoint_id"]).delete()
        with pytest.raises(Permanent):
            await deliver_webhook(message, JobContext(runtime.settings))
    assert receiver.received == []


async def test_in_production_a_name_that_resolves_to_a_private_address_gets_no_delivery(api, demo, runtime):
    """The name is accepted when saved (it is not an address), and refused
    at delivery, when it is resolved."""
    async with webhook_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        name = socket.gethostname()  # resolves to this machine
        settings = runtime.settings
        runtime.settings = replace(settings, environment="production")
        try:
            message, _ = await _planned_delivery(api, demo, f"https://{name}:{port}/hooks")
            with pytest.raises(Permanent) as refused:
                await deliver_webhook(message, JobContext(runtime.settings))
        finally:
            runtime.settings = settings
    assert "not a public address" in str(refused.value)
    assert receiver.received == []


async def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_deadline(api, demo, runtime):
    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        for byte in b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n":  # a byte every 0.3 s: no read ever times out
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.3)
        writer.close()

    server = await asyncio.start_server(drip, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = runtime.settings
    try:
        message, _ = await _planned_delivery(api, demo, f"http://127.0.0.1:{port}/hooks")
        runtime.settings = replace(settings, webhook_timeout_seconds=1)
        started = time.monotonic()
        with pytest.raises(RuntimeError) as late:
            await deliver_webhook(message, JobContext(runtime.settings))
        assert time.monotonic() - started < 3  # the answer would have taken 12 s
        assert "did not answer within 1s" in str(late.value) and not isinstance(late.value, Permanent)
    finally:
        runtime.settings = settings
        server.close()
        await server.wait_closed()


async def test_another_clinics_webhook_endpoint_is_not_found(api):
    owner = await staff_token(api)
    theirs = (await api.data(CREATE_HOOK, {"u": "https://x.example/h", "e": ["BOOKED"]}, await staff_token(api, "northside")))
    ident = theirs["createWebhookEndpoint"]["webhookEndpoint"]["id"]
    assert codes((await api.data(UPDATE_HOOK, {"id": ident, "input": {"active": False}}, owner))["updateWebhookEndpoint"]) == ["NOT_FOUND"]
    deleted = await api.data(f"mutation($id: ID!) {{ deleteWebhookEndpoint(id: $id) {{ deletedId {USER_ERRORS} }} }}", {"id": ident}, owner)
    assert codes(deleted["deleteWebhookEndpoint"]) == ["NOT_FOUND"]
    assert (await WebhookEndpoint.get(id=ident)).active is True
    assert (await api.data("{ webhookEndpoints { id } }", None, owner))["webhookEndpoints"] == []
