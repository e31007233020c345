"""Pre-fill tokens: a signed-in client taps *Book Now*; the booking page
redeems the token once for the client's details and a booking session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from models import Client, Clinic, CredentialKind, PrefillToken, utcnow
from models.db import write_transaction
from resolvers.account import credentials
from settings import Settings
from resolvers.core import access
from resolvers.core.errors import DomainError, ErrorCode


@dataclass(frozen=True)
class NewPrefill:
    token: str
    expires_at: datetime
    booking_url: str


@dataclass(frozen=True)
class Redeemed:
    client: Client
    session_token: str
    session_expires_at: datetime


async def create_prefill_token(settings: Settings, principal, *, now: datetime | None = None) -> NewPrefill:
    now = now or utcnow()
    client_id = access.require_client(principal)
    clinic = await Clinic.get(id=principal.clinic_id)
    if (refusal := access.booking_refusal(clinic, principal)) is not None:
        raise refusal  # the link is only good for booking
    token = credentials.new_token()
    expires_at = now + timedelta(minutes=settings.prefill_token_minutes)
    await PrefillToken.create(
        clinic_id=clinic.id, client_id=client_id, token_hash=credentials.hash_token(token), expires_at=expires_at
    )
    url = f"{settings.public_booking_url}/p/{quote(clinic.slug)}/book?token={quote(token)}"
    return NewPrefill(token=token, expires_at=expires_at, booking_url=url)


async def redeem_prefill_token(settings: Settings, token: str, *, now: datetime | None = None) -> Redeemed:
    """Spend the token with one conditional UPDATE: of any number of
    concurrent redemptions exactly one changes the row. Spending it and
    issuing the session commit together."""
    now = now or utcnow()
    token_hash = credentials.hash_token(token or "")
    lifetime = timedelta(minutes=settings.booking_session_minutes)
    async with write_transaction():
        spent = await PrefillToken.filter(token_hash=token_hash, used_at=None, expires_at__gt=now).update(used_at=now)
        if spent:
            row = await PrefillToken.get(token_hash=token_hash)
            client = await Client.get(id=row.client_id, clinic_id=row.clinic_id)
            session, credential = await credentials.issue(
                CredentialKind.BOOKING_SESSION, row.clinic_id, client_id=client.id, lifetime=lifetime
            )
            return Redeemed(client=client, session_token=session, session_expires_at=credential.expires_at)
    row = await PrefillToken.get_or_none(token_hash=token_hash)
    if row is None:
        raise DomainError(ErrorCode.TOKEN_INVALID, "This booking link is not valid.", ["token"])
    if row.used_at is not None:
        raise DomainError(ErrorCode.TOKEN_ALREADY_USED, "This booking link has already been used.", ["token"])
    raise DomainError(ErrorCode.TOKEN_EXPIRED, "This booking link has expired.", ["token"])
