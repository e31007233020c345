"""Delivering partner webhooks: one POST per "webhook" outbox row.

The body is JSON; the headers carry the delivery id (the outbox row's id, the
same on every retry, for the receiver to drop duplicates), a Unix timestamp,
and `sha256=` + hex HMAC-SHA256 of f"{timestamp}.{body}" under the endpoint's
secret. A 2xx answer is success; anything else raises, and the runner tries
again later; 410 Gone drops the delivery at once.

The endpoint's name is resolved here, every address it resolves to must be
allowed (in production: public, see jobs/addresses.py),
and the connection goes to those very addresses, so a name cannot be
pointed at a private network between the check and the connection. The
TLS certificate is still checked against the name. One deadline covers
the whole attempt, however slowly the receiver answers; its body is never
read."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import time
from typing import Any

import httpx

from jobs.addresses import may_deliver_to
from jobs.context import JobContext
from jobs.registry import Permanent
from models import OutboxMessage, WebhookEndpoint

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


async def deliver_webhook(msg: OutboxMessage, jobs: JobContext) -> dict[str, Any] | None:
    settings = jobs.settings
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
    url = httpx.URL(endpoint.url)
    addresses = await _allowed_addresses(url, production=settings.production)
    timeout = settings.webhook_timeout_seconds
    try:
        async with asyncio.timeout(timeout):
            status = await _post(url, addresses, body, headers, timeout)
    except TimeoutError:
        raise RuntimeError(f"{endpoint.url} did not answer within {timeout}s") from None
    if status == 410:
        raise Permanent(f"{endpoint.url} answered 410 Gone")
    if not 200 <= status < 300:
        raise RuntimeError(f"{endpoint.url} answered HTTP {status}")
    return {"status": status}


@functools.cache
def _tls() -> ssl.SSLContext:
    """Built once per process: loading the certificate authorities costs
    more than a small delivery."""
    return httpx.create_ssl_context()


async def _allowed_addresses(url: httpx.URL, *, production: bool) -> list[str]:
    try:
        addresses = [str(ipaddress.ip_address(url.host))]
    except ValueError:
        try:
            found = await asyncio.get_running_loop().getaddrinfo(url.host, url.port or 443, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise RuntimeError(f"{url.host} could not be resolved ({error})") from None
        addresses = list(dict.fromkeys(info[4][0] for info in found))
    for address in addresses:
        if not may_deliver_to(ipaddress.ip_address(address), production=production):
            raise Permanent(f"{url.host} resolves to {address}, which is not a public address")
    return addresses


async def _post(url: httpx.URL, addresses: list[str], body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POSTs to each address in turn until one takes the connection; the
    answer's status."""
    headers = {**headers, "host": url.netloc.decode("ascii")}
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    unreachable: Exception | None = None
    # No proxy from the environment: the connection goes to the checked addresses.
    async with httpx.AsyncClient(verify=_tls(), timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for address in addresses:
            try:
                request = client.build_request("POST", url.copy_with(host=address), content=body, headers=headers, extensions=extensions)
                response = await client.send(request, stream=True)
            except httpx.ConnectError as error:
                unreachable = error
                continue
            await response.aclose()
            return response.status_code
    raise RuntimeError(f"{url} could not be reached ({unreachable})")
