"""A new clinic, self-serve: the first step of setting one up through
GraphQL alone."""

from __future__ import annotations

import strawberry

from resolvers.admin import clinic_setup
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.catalogue import Clinic
from schema.types.common import Session


@strawberry.input
class CreateClinicInput:
    slug: str = strawberry.field(description="The portal's address: /p/{slug}/. Lower-case letters, digits, dashes.")
    name: str
    timezone: str = strawberry.field(description="IANA time zone, e.g. Europe/London.")
    currency: str = strawberry.field(description="ISO 4217, e.g. GBP.")
    country: str = strawberry.field(description="ISO 3166, e.g. GB: how phone numbers without a country code are read.")
    admin_email: str
    admin_password: str = strawberry.field(description="At least 10 characters.")
    admin_name: str = "Clinic Owner"


@strawberry.type
class CreateClinicPayload(Payload):
    clinic: Clinic | None = None
    session: Session | None = strawberry.field(default=None, description="The new administrator, signed in.")


async def _created(info: Info, input: CreateClinicInput) -> dict:
    spec = clinic_setup.NewClinic(**{name: getattr(input, name) for name in clinic_setup.NewClinic.__dataclass_fields__})
    clinic, session = await clinic_setup.sign_up_clinic(info.context.runtime, info.context.principal, spec, info.context.ip)
    return {"clinic": Clinic(model=clinic), "session": Session(token=session.token, expires_at=session.expires_at)}


@strawberry.type
class ClinicSignUpMutations:
    @strawberry.mutation(
        description="A new clinic with its first administrator, signed in; where the platform allows sign-up (CLINIC_SIGNUP)."
    )
    async def create_clinic(self, info: Info, input: CreateClinicInput) -> CreateClinicPayload:
        return await payload(CreateClinicPayload, _created(info, input))
