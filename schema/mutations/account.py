"""The client's own sign-in routes besides the password, and their settings:
codes by SMS, password reset by e-mail, language."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.account import personal
from resolvers.account import password_reset
from resolvers.account import phone_sign_in
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.mutations.auth import SignInPayload, _session
from schema.types.account import ClientAccount


@strawberry.type
class RequestSignInCodePayload(Payload):
    sent: bool = False
    expires_at: datetime | None = None


@strawberry.type
class RequestPasswordResetPayload(Payload):
    sent: bool = strawberry.field(default=False, description="True whether or not the address has an account.")


@strawberry.type
class SetLanguagePayload(Payload):
    account: ClientAccount | None = None


async def _code_sent(work) -> dict:
    return {"sent": True, "expires_at": await work}


async def _reset_sent(work) -> dict:
    await work
    return {"sent": True}


async def _language(work) -> dict:
    return {"account": ClientAccount(model=await work)}


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Sends a 6-digit sign-in code by SMS. `acceptedTerms`: the client accepts the clinic's "
        "privacy policy and user agreement (`Clinic.privacyPolicyVersion`)."
    )
    async def request_sign_in_code(
        self, info: Info, clinic_slug: str, phone: str, accepted_terms: bool
    ) -> RequestSignInCodePayload:
        ctx = info.context
        work = phone_sign_in.request_sign_in_code(
            ctx.runtime, ctx.principal, clinic_slug, phone, accepted_terms, ctx.ip, language=ctx.language
        )
        return await payload(RequestSignInCodePayload, _code_sent(work))

    @strawberry.mutation(
        description="Signs in with the code. A number new to the clinic becomes a client (named `fullName`) "
        "when the clinic accepts new clients."
    )
    async def verify_sign_in_code(
        self, info: Info, clinic_slug: str, phone: str, code: str, full_name: str | None = None
    ) -> SignInPayload:
        ctx = info.context
        work = phone_sign_in.verify_sign_in_code(
            ctx.runtime, ctx.principal, clinic_slug, phone, code, ctx.ip, full_name, language=ctx.language
        )
        return await payload(SignInPayload, _session(work))

    @strawberry.mutation(description="E-mails a single-use link to set a new password, valid one hour.")
    async def request_password_reset(self, info: Info, clinic_slug: str, email: str) -> RequestPasswordResetPayload:
        ctx = info.context
        work = password_reset.request_password_reset(ctx.runtime, ctx.principal, clinic_slug, email, ctx.ip)
        return await payload(RequestPasswordResetPayload, _reset_sent(work))

    @strawberry.mutation(description="Spends a reset link: sets the password, signs out every other session.")
    async def reset_password(self, info: Info, token: str, password: str) -> SignInPayload:
        return await payload(SignInPayload, _session(password_reset.reset_password(info.context.runtime, token, password, info.context.ip)))

    @strawberry.mutation(description="The language of the signed-in client's messages.")
    async def set_language(self, info: Info, language: str) -> SetLanguagePayload:
        return await payload(SetLanguagePayload, _language(personal.set_language(info.context.runtime.settings, info.context.principal, language)))
