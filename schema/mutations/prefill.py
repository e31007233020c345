"""Pre-fill tokens for the booking page."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.booking import prefill
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.account import Prefill
from schema.types.common import Session


@strawberry.type
class CreatePrefillTokenPayload(Payload):
    token: str | None = None
    expires_at: datetime | None = None
    booking_url: str | None = None


@strawberry.type
class RedeemPrefillTokenPayload(Payload):
    prefill: Prefill | None = None
    booking_session: Session | None = None


async def _create(info: Info) -> dict:
    made = await prefill.create_prefill_token(info.context.runtime.settings, info.context.principal)
    return {"token": made.token, "expires_at": made.expires_at, "booking_url": made.booking_url}


async def _redeem(info: Info, token: str) -> dict:
    done = await prefill.redeem_prefill_token(info.context.runtime.settings, token)
    client = done.client
    return {
        "prefill": Prefill(full_name=client.full_name, email=client.email, phone=client.phone),
        "booking_session": Session(token=done.session_token, expires_at=done.session_expires_at),
    }


@strawberry.type
class PrefillMutations:
    @strawberry.mutation(description="Client session: a single-use token for the booking page, valid 5 minutes.")
    async def create_prefill_token(self, info: Info) -> CreatePrefillTokenPayload:
        return await payload(CreatePrefillTokenPayload, _create(info))

    @strawberry.mutation(description="Spend a pre-fill token: the client's details and a booking session.")
    async def redeem_prefill_token(self, info: Info, token: str) -> RedeemPrefillTokenPayload:
        return await payload(RedeemPrefillTokenPayload, _redeem(info, token))
