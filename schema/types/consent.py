"""Consent forms: the signing page's view of a request, and the status
staff see on each appointment."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.booking import consent
from resolvers.booking.consent import ConsentView
from schema.context import Info

ConsentStatus = strawberry.enum(consent.ConsentStatus, name="ConsentStatus")


@strawberry.type(description="A consent form to sign, as its single-use link shows it.")
class ConsentRequest:
    view: strawberry.Private[ConsentView]

    @strawberry.field
    def status(self) -> ConsentStatus:
        return self.view.status

    @strawberry.field(description="The form as the client is asked to sign it.")
    def title(self) -> str:
        return self.view.request.form_title

    @strawberry.field
    def body(self) -> str:
        return self.view.request.form_body

    @strawberry.field
    def clinic_name(self) -> str:
        return self.view.clinic_name

    @strawberry.field(description="The clinic's time zone, for showing `appointmentStart`.")
    def clinic_timezone(self) -> str:
        return self.view.timezone

    @strawberry.field
    def treatment_name(self) -> str:
        return self.view.treatment_name

    @strawberry.field
    def practitioner_name(self) -> str:
        return self.view.practitioner_name

    @strawberry.field
    def appointment_start(self) -> datetime:
        return self.view.appointment_start

    @strawberry.field(description="The link works until then (the appointment's start).")
    def expires_at(self) -> datetime:
        return self.view.request.expires_at

    @strawberry.field
    def signed_at(self) -> datetime | None:
        return self.view.request.signed_at

    @strawberry.field
    def signature_name(self) -> str | None:
        return self.view.request.signature_name


@strawberry.type
class ConsentQueries:
    @strawberry.field(
        description="Public: the consent form behind a signing link (the link names the clinic;"
        " a token of another clinic is TOKEN_INVALID)."
    )
    async def consent_request(self, info: Info, token: str, clinic_slug: str | None = None) -> ConsentRequest:
        ctx = info.context
        return ConsentRequest(view=await consent.consent_request(ctx.runtime, ctx.principal, token, ctx.ip, clinic_slug))
