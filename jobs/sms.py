"""The "sms" outbox handler: one text through the clinic's Twilio account.

Payload: {"to": "+E164", "body": str, "client_id": str | None, "purpose": str}.
Sent with the real `twilio` library and its async HTTP client, against
TWILIO_API_BASE (Twilio itself unless a stand-in is named). The HTTP client
is the runner's (`JobContext.twilio_http`): one aiohttp session per runner,
closed when the runner stops, never one per call (a call cut short by a
time-out would leave its session open)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client as TwilioClient

from jobs.context import JobContext
from jobs.registry import Cancelled, InDoubt, Permanent
from models import Clinic, OutboxMessage, SmsOptOut

log = logging.getLogger("clinicportal.jobs")

# How far back (and how many messages) to look when an earlier attempt may
# have reached Twilio.
LOOK_BACK_MESSAGES = 50
CLOCK_SKEW = timedelta(minutes=2)


def twilio_client(clinic: Clinic, api_base: str, http: AsyncTwilioHttpClient) -> TwilioClient:
    """A client for the clinic's account over the runner's HTTP client."""
    client = TwilioClient(clinic.twilio_account_sid, clinic.twilio_auth_token, http_client=http)
    client.api.base_url = api_base
    return client


async def _already_sent(client: TwilioClient, to: str, body: str, since: datetime) -> str | None:
    """The sid of a message an interrupted attempt got through, if any."""
    recent = await client.messages.list_async(to=to, limit=LOOK_BACK_MESSAGES)
    for message in recent:
        created = message.date_created
        if message.body == body and (created is None or created >= since - CLOCK_SKEW):
            return message.sid
    return None


def _refusal(exc: TwilioRestException) -> Exception:
    if exc.status == 429 or exc.status >= 500:
        return RuntimeError(f"Twilio answered {exc.status}: {exc.msg}")
    return Permanent(f"Twilio refused the message ({exc.status}, code {exc.code}): {exc.msg}")


async def send_sms(msg: OutboxMessage, jobs: JobContext) -> dict:
    settings = jobs.settings
    clinic = await Clinic.get_or_none(id=msg.clinic_id)
    if clinic is None or not clinic.sms_configured:
        raise Permanent("SMS is not configured for this clinic.")
    to, body = msg.payload.get("to"), msg.payload.get("body")
    if not to or not body:
        raise Permanent("The message has no recipient or no text.")
    if await SmsOptOut.exists(clinic_id=clinic.id, phone=to):
        raise Cancelled("The recipient replied STOP.")
    client = twilio_client(clinic, settings.twilio_api_base, jobs.twilio_http())
    timeout = settings.twilio_timeout_seconds
    if msg.in_doubt_since is not None:
        try:
            sid = await asyncio.wait_for(_already_sent(client, to, body, msg.in_doubt_since), timeout)
        except Exception as exc:  # noqa: BLE001 - still in doubt: never send blind
            raise InDoubt(f"Could not ask Twilio whether an earlier attempt got through: {exc!r}") from None
        if sid:
            log.info("outbox %s: an earlier attempt was delivered to Twilio as %s", msg.id, sid)
            return {"provider_id": sid, "found_after_interruption": True}
    try:
        params = {
            "to": to,
            "body": body,
            "status_callback": f"{settings.public_api_url}/webhooks/twilio?m={msg.id}",
        }
        if clinic.twilio_messaging_service_sid:
            params["messaging_service_sid"] = clinic.twilio_messaging_service_sid
        else:
            params["from_"] = clinic.twilio_from_number
        message = await asyncio.wait_for(client.messages.create_async(**params), timeout)
    except TwilioRestException as exc:
        raise _refusal(exc) from None
    except TimeoutError:
        raise InDoubt(f"Twilio did not answer within {timeout:g}s.") from None
    except aiohttp.ClientConnectorError as exc:
        raise RuntimeError(f"Twilio could not be reached: {exc}") from None  # never reached it
    except aiohttp.ClientError as exc:
        raise InDoubt(f"The connection to Twilio failed mid-request: {exc}") from None
    return {"provider_id": message.sid, "provider_status": message.status}
