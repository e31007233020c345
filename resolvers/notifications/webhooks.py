"""Partner webhook subscriptions, and the planner that writes one outbox row
per subscribed endpoint in the transaction of the appointment change.

Deliveries are signed (see jobs/webhooks.py); the signing secret is shown
once, when the endpoint is made."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from models import Appointment, Clinic, WebhookEndpoint, utcnow
from realtime.events import EventKind
from jobs.addresses import may_deliver_to
from settings import Settings
from resolvers.core import access
from resolvers.core import tenant
from resolvers.core.errors import invalid
from resolvers.notifications.outbox import enqueue
from resolvers.core.principal import Principal
from resolvers.notifications.change_rows import ChangeRows
from resolvers.core.runtime import Runtime

KIND = "webhook"
EVENTS = (EventKind.BOOKED, EventKind.CANCELLED, EventKind.RESCHEDULED)
MAX_ENDPOINTS = 20


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_url(raw: str, field: list[str], *, production: bool) -> str:
    """https only; plain http to this machine (loopback) in development. In
    production, addresses of private networks are refused too."""
    url = (raw or "").strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise invalid("Give a full URL such as https://example.com/hooks.", field) from None
    if len(url) > 500 or not host or parts.username or parts.password:
        raise invalid("Give a full URL such as https://example.com/hooks, without a user name.", field)
    if parts.scheme == "http" and _loopback(host) and not production:
        return url
    if parts.scheme != "https":
        raise invalid("Webhook URLs use https.", field)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if production and (host == "localhost" or (address and not may_deliver_to(address, production=production))):
        raise invalid("Webhooks go to public addresses.", field)
    return url


def _events(raw: list[str], field: list[str]) -> list[str]:
    wanted = sorted({EventKind(e).value for e in raw})
    if not wanted or any(EventKind(e) not in EVENTS for e in wanted):
        raise invalid("Choose among BOOKED, CANCELLED and RESCHEDULED.", field)
    return wanted


def _description(raw: str | None) -> str | None:
    text = (raw or "").strip()
    if len(text) > 200:
        raise invalid("At most 200 characters.", ["description"])
    return text or None


async def create_webhook_endpoint(
    settings: Settings,
    principal: Principal, url: str, events: list[str], description: str | None
) -> CreatedEndpoint:
    clinic_id = access.require_admin(principal)
    url = checked_url(url, ["url"], production=settings.production)
    wanted = _events(events, ["events"])
    if await WebhookEndpoint.filter(clinic_id=clinic_id).count() >= MAX_ENDPOINTS:
        raise invalid(f"A clinic has at most {MAX_ENDPOINTS} webhook endpoints.", ["url"])
    secret = new_secret()
    endpoint = await WebhookEndpoint.create(
        clinic_id=clinic_id, url=url, events=wanted, secret=secret, description=_description(description)
    )
    return CreatedEndpoint(endpoint, secret)


async def update_webhook_endpoint(settings: Settings, principal: Principal, raw_id: str, changes: dict[str, Any]) -> WebhookEndpoint:
    clinic_id = access.require_admin(principal)
    endpoint = await tenant.webhook_endpoint(clinic_id, raw_id, ["id"])
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "url":
            clean[name] = checked_url(value, ["input", "url"], production=settings.production)
        elif name == "events":
            clean[name] = _events(value or [], ["input", "events"])
        elif name == "active":
            if value is None:
                raise invalid("Give true or false.", ["input", "active"])
            clean[name] = bool(value)
        elif name == "description":
            clean[name] = _description(value)
        else:
            raise invalid(f"Unknown field {name}.", ["input", name])
    if clean:
        await WebhookEndpoint.filter(id=endpoint.id, clinic_id=clinic_id).update(**clean)
    return await WebhookEndpoint.get(id=endpoint.id)


async def rotate_webhook_secret(principal: Principal, raw_id: str) -> CreatedEndpoint:
    """A new signing secret, shown once; deliveries from now on are signed
    with it (receivers may accept both for a while)."""
    clinic_id = access.require_admin(principal)
    endpoint = await tenant.webhook_endpoint(clinic_id, raw_id, ["id"])
    secret = new_secret()
    await WebhookEndpoint.filter(id=endpoint.id, clinic_id=clinic_id).update(secret=secret)
    return CreatedEndpoint(await WebhookEndpoint.get(id=endpoint.id), secret)


async def delete_webhook_endpoint(principal: Principal, raw_id: str) -> None:
    """Deliveries still waiting for it are dropped by the handler."""
    clinic_id = access.require_admin(principal)
    endpoint = await tenant.webhook_endpoint(clinic_id, raw_id, ["id"])
    await WebhookEndpoint.filter(id=endpoint.id, clinic_id=clinic_id).delete()


async def webhook_endpoints(principal: Principal) -> list[WebhookEndpoint]:
    clinic_id = access.require_admin(principal)
    return await WebhookEndpoint.filter(clinic_id=clinic_id).order_by("created_at")


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def appointment_data(appointment: Appointment) -> dict[str, Any]:
    """What a partner is told about an appointment: plain values, as they
    were when the change committed."""
    return {
        "id": str(appointment.id),
        "status": str(appointment.status),
        "start": _iso(appointment.start_at),
        "end": _iso(appointment.end_at),
        "practitionerId": str(appointment.practitioner_id),
        "treatmentId": str(appointment.treatment_id),
        "clientId": str(appointment.client_id),
        "source": str(appointment.source),
        "price": None if appointment.price is None else f"{appointment.price:.2f}",
        "currency": appointment.currency,
        "cancelledAt": _iso(appointment.cancelled_at),
        "cancelledBy": appointment.cancelled_by,
        "rescheduledFromId": str(appointment.rescheduled_from_id) if appointment.rescheduled_from_id else None,
    }


async def plan_webhooks(
    rt: Runtime, kind: EventKind, appointment: Appointment, clinic: Clinic, previous: Appointment | None, rows: ChangeRows
) -> None:
    """One "webhook" outbox row per active endpoint subscribed to `kind`."""
    if kind not in EVENTS:
        return
    endpoints = await rows.webhooks()
    occurred_at = utcnow().isoformat()
    for endpoint in endpoints:
        if kind.value not in (endpoint.events or []):
            continue
        data = {"appointment": appointment_data(appointment)}
        if previous is not None:
            data["previousAppointment"] = appointment_data(previous)
        await enqueue(
            clinic.id,
            KIND,
            {
                "endpoint_id": str(endpoint.id),
                "type": f"appointment.{kind.value.lower()}",
                "occurred_at": occurred_at,
                "data": data,
            },
            appointment_id=appointment.id,
        )
