"""Delivering partner webhooks: one POST per "webhook" outbox row.

The body is JSON; the headers carry the delivery id (the outbox row's id, the
same on every retry, for the receiver to drop duplicates), a Unix timestamp,
and `sha256=` + hex HMAC-SHA256 of f"{timestamp}.{body}" under the endpoint's
secret. A 2xx answer is success; anything else raises, and the runner tries
again later; 410 Gone drops the delivery at once."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from jobs.registry import Permanent, handles
from models import OutboxMessage, WebhookEndpoint
from resolvers import runtime

DELIVERY_HEADER = "Clinicportal-Delivery"
TIMESTAMP_HEADER = "Clinicportal-Timestamp"
SIGNATURE_HEADER = "Clinicportal-Signature"
EVENT_HEADER = "Clinicportal-Event"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def render(msg: OutboxMessage) -> bytes:
    payload = msg.payload or {}
    document = {
        "id": str(msg.id),
        "type": payload.get("type"),
        "occurredAt": payload.get("occurred_at"),
        "clinicId": str(msg.clinic_id),
        "data": payload.get("data", {}),
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


@handles("webhook")
async def deliver_webhook(msg: OutboxMessage) -> dict[str, Any] | None:
    endpoint_id = (msg.payload or {}).get("endpoint_id")
    endpoint = await WebhookEndpoint.get_or_none(id=endpoint_id, clinic_id=msg.clinic_id) if endpoint_id else None
    if endpoint is None or not endpoint.active:
        raise Permanent("the webhook endpoint was removed or switched off")
    body = render(msg)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "clinicportal-webhooks/1",
        DELIVERY_HEADER: str(msg.id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
        EVENT_HEADER: str((msg.payload or {}).get("type")),
    }
    timeout = runtime.current().settings.webhook_timeout_seconds
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        response = await client.post(endpoint.url, content=body, headers=headers)
    if response.status_code == 410:
        raise Permanent(f"{endpoint.url} answered 410 Gone")
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{endpoint.url} answered HTTP {response.status_code}")
    return {"status": response.status_code}
