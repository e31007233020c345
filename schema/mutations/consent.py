"""Signing a consent form through its single-use link."""

from __future__ import annotations

import strawberry

from resolvers.booking import consent
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.appointment import Appointment
from schema.types.consent import ConsentRequest


@strawberry.type
class SignConsentFormPayload(Payload):
    consent_request: ConsentRequest | None = None


@strawberry.type
class ResendConsentLinkPayload(Payload):
    appointment: Appointment | None = None


async def _resend(info: Info, appointment_id: str) -> dict:
    return {"appointment": Appointment(model=await consent.resend_consent_link(info.context.runtime, info.context.principal, appointment_id))}


async def _sign(info: Info, token: str, signature_name: str, agree: bool, clinic_slug: str | None) -> dict:
    ctx = info.context
    view = await consent.sign_consent_form(ctx.runtime, ctx.principal, token, signature_name, agree, ctx.ip, clinic_slug)
    return {"consent_request": ConsentRequest(view=view)}


@strawberry.type
class ConsentMutations:
    @strawberry.mutation(
        description="Public: sign with the link's token, a typed name and agreement; works once,"
        " until the appointment starts."
    )
    async def sign_consent_form(
        self, info: Info, token: str, signature_name: str, agree: bool, clinic_slug: str | None = None
    ) -> SignConsentFormPayload:
        return await payload(SignConsentFormPayload, _sign(info, token, signature_name, agree, clinic_slug))

    @strawberry.mutation(
        description="Send the client a fresh signing link for an unsigned form; the old link stops working."
    )
    async def resend_consent_link(self, info: Info, appointment_id: strawberry.ID) -> ResendConsentLinkPayload:
        return await payload(ResendConsentLinkPayload, _resend(info, appointment_id))
