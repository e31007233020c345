"""Signing in and out."""

from __future__ import annotations

import strawberry

from resolvers.account import auth
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.common import Session


@strawberry.type
class SignInPayload(Payload):
    session: Session | None = None


@strawberry.type
class SignOutPayload(Payload):
    ok: bool = False


async def _session(work) -> dict:
    issued = await work
    return {"session": Session(token=issued.token, expires_at=issued.expires_at)}


async def _sign_out(info: Info) -> dict:
    await auth.sign_out(info.context.principal)
    return {"ok": True}


@strawberry.type
class AuthMutations:
    @strawberry.mutation(description="Client sign-in to one clinic's portal.")
    async def sign_in(self, info: Info, clinic_slug: str, email: str, password: str) -> SignInPayload:
        ctx = info.context
        return await payload(
            SignInPayload, _session(auth.sign_in(ctx.runtime, ctx.principal, clinic_slug, email, password, ctx.ip))
        )

    @strawberry.mutation(description="Staff sign-in; the clinic comes from the account.")
    async def staff_sign_in(self, info: Info, email: str, password: str) -> SignInPayload:
        return await payload(SignInPayload, _session(auth.staff_sign_in(info.context.runtime, email, password, info.context.ip)))

    @strawberry.mutation(description="Revokes the presented session token.")
    async def sign_out(self, info: Info) -> SignOutPayload:
        return await payload(SignOutPayload, _sign_out(info))
