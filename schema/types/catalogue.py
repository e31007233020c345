"""The public face of a clinic: its settings, treatments and practitioners."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from models import Clinic as ClinicModel
from models import Practitioner as PractitionerModel
from models import Treatment as TreatmentModel
from resolvers.account import legal_documents
from resolvers.booking import catalogue
from resolvers.billing.loyalty_earning import discounted
from resolvers.admin import portal_settings
from resolvers.admin import rosters
from resolvers.core import access
from schema.context import Info
from schema.types.common import Money, mirror, prices_visible


@strawberry.type
class Practitioner:
    model: strawberry.Private[PractitionerModel]

    id: strawberry.ID = mirror("id")
    name: str = mirror("name")

    @strawberry.field(description="False once the clinic takes the diary off the portal and new bookings.")
    def active(self) -> bool:
        return self.model.active

    @strawberry.field(description="The clinic's staff and partners only.")
    def contact_email(self, info: Info) -> str | None:
        access.require_insider(info.context.principal, self.model.clinic_id)
        return self.model.contact_email

    @strawberry.field(description="Weekly working hours (the clinic's staff and partners only).")
    async def weekly_hours(self, info: Info) -> list[Annotated["WorkingHours", strawberry.lazy("schema.types.admin")]]:
        from schema.types.admin import WorkingHours

        access.require_insider(info.context.principal, self.model.clinic_id)
        return [WorkingHours(model=r) for r in await rosters.weekly_roster(self.model.clinic_id, self.model.id)]

    @strawberry.field(description="Days off, blocked and extra hours from `from` on (the clinic's staff and partners only).")
    async def roster_exceptions(
        self, info: Info, from_: Annotated[date | None, strawberry.argument(name="from")] = None
    ) -> list[Annotated["RosterException", strawberry.lazy("schema.types.admin")]]:
        from schema.types.admin import RosterException

        access.require_insider(info.context.principal, self.model.clinic_id)
        rows = await rosters.roster_exceptions(self.model.clinic_id, self.model.id, from_)
        return [RosterException(model=r) for r in rows]

    @strawberry.field
    async def treatments(self, info: Info) -> list[Treatment]:
        online_only = not access.is_insider(info.context.principal, self.model.clinic_id)
        rows = await info.context.loaders.treatments_by_practitioner.load(
            (self.model.clinic_id, self.model.id, online_only)
        )
        return [Treatment(model=t) for t in rows]


@strawberry.type
class Treatment:
    model: strawberry.Private[TreatmentModel]

    id: strawberry.ID = mirror("id")
    name: str = mirror("name")
    description: str | None = mirror("description")
    duration_minutes: int = mirror("duration_minutes")
    buffer_before_minutes: int = mirror("buffer_before_minutes", "Kept free before, for preparation.")
    buffer_after_minutes: int = mirror("buffer_after_minutes", "Kept free after, for clearing up.")
    online_bookable: bool = mirror("online_bookable")
    archived: bool = mirror("archived")

    @strawberry.field(description="The form a client accepts before this treatment, if any.")
    async def consent_form(self, info: Info) -> Annotated["ConsentForm", strawberry.lazy("schema.types.admin")] | None:
        from schema.types.admin import ConsentForm

        if self.model.consent_form_id is None:
            return None
        row = await info.context.loaders.consent_form.load((self.model.clinic_id, self.model.consent_form_id))
        return ConsentForm(model=row) if row else None

    @strawberry.field(description="Null when the clinic hides prices.")
    async def price(self, info: Info) -> Money | None:
        clinic = await info.context.loaders.clinic.load(self.model.clinic_id)
        if not prices_visible(info, clinic):
            return None
        return Money.of(self.model.price, clinic.currency)

    @strawberry.field(
        description="The price the signed-in client pays: `price` less their loyalty card's discount. "
        "The same as `price` for anyone else; null when the clinic hides prices."
    )
    async def price_for_me(self, info: Info) -> Money | None:
        clinic = await info.context.loaders.clinic.load(self.model.clinic_id)
        if not prices_visible(info, clinic):
            return None
        principal = info.context.principal
        percent = None
        if principal.is_client and principal.clinic_id == clinic.id:
            percent = await info.context.loaders.loyalty_discount.load((clinic.id, principal.client_id))
        return Money.of(discounted(self.model.price, percent), clinic.currency)

    @strawberry.field(description="Who offers it.")
    async def practitioners(self, info: Info) -> list[Practitioner]:
        rows = await info.context.loaders.practitioners_by_treatment.load((self.model.clinic_id, self.model.id))
        return [Practitioner(model=p) for p in rows]


@strawberry.type
class CancellationPolicy:
    notice_hours: int
    text: str | None


@strawberry.type
class Branding:
    background_color: str | None
    logo_url: str | None


@strawberry.type
class Slot:
    start: datetime
    end: datetime
    practitioner: Practitioner


@strawberry.type
class Clinic:
    model: strawberry.Private[ClinicModel]

    id: strawberry.ID = mirror("id")
    slug: str = mirror("slug")
    name: str = mirror("name")
    timezone: str = mirror("timezone")
    currency: str = mirror("currency")
    portal_enabled: bool = mirror("portal_enabled")
    accepts_new_clients: bool = mirror("accepts_new_clients")
    show_prices: bool = mirror("show_prices")
    booking_instructions: str | None = mirror("booking_instructions")
    terms_and_conditions: str | None = mirror("terms_and_conditions")
    privacy_policy_version: str = mirror(
        "privacy_policy_version", "The version of the privacy policy and user agreement a client accepts."
    )

    @strawberry.field(
        description="The current privacy policy and user agreement (those published), privacy policy first: "
        "what a client accepts at sign-in."
    )
    async def legal_documents(self) -> list[Annotated["LegalDocument", strawberry.lazy("schema.types.legal")]]:
        from schema.types.legal import documents

        return documents(await legal_documents.current(self.model.id))

    @strawberry.field(description="Whether clients may sign in with their phone and a code by SMS.")
    def sms_sign_in_enabled(self) -> bool:
        return self.model.sms_configured

    @strawberry.field
    def cancellation_policy(self) -> CancellationPolicy:
        return CancellationPolicy(
            notice_hours=self.model.cancellation_notice_hours, text=self.model.cancellation_policy_text
        )

    @strawberry.field
    def branding(self, info: Info) -> Branding:
        settings = info.context.runtime.settings
        return Branding(
            background_color=self.model.branding_background_color, logo_url=portal_settings.logo_url(settings, self.model)
        )

    @strawberry.field(description="The clinic's portal address.")
    def portal_url(self, info: Info) -> str:
        return portal_settings.portal_url(info.context.runtime.settings, self.model)

    country: str = mirror("country", "ISO 3166 country: how phone numbers without a country code are read.")
    practitioners_see_all_diaries: bool = mirror(
        "practitioners_see_all_diaries", "Whether practitioner-role staff see every diary, not only their own."
    )

    clients_can_book: bool = mirror("clients_can_book", "Whether clients may book in the portal.")
    clients_can_cancel: bool = mirror("clients_can_cancel", "Whether clients may cancel in the portal.")
    clients_can_reschedule: bool = mirror(
        "clients_can_reschedule", "Whether clients may move their appointments in the portal."
    )
    verify_manual_entry: bool = mirror(
        "verify_manual_entry",
        "Whether details typed on the booking page that match an existing client need a one-time code sent to"
        " that client.",
    )

    @strawberry.field(
        description="Whether the caller may book here now: for clients and visitors, the portal is open and takes"
        " bookings; staff always may, partner keys with the book scope."
    )
    def can_book(self, info: Info) -> bool:
        return access.booking_refusal(self.model, info.context.principal) is None

    booking_min_notice_minutes: int = mirror("booking_min_notice_minutes", "Minutes of notice a portal booking needs.")
    booking_horizon_days: int = mirror("booking_horizon_days", "How many days ahead the portal takes bookings.")
    slot_step_minutes: int = mirror("slot_step_minutes")
    hold_minutes: int = mirror("hold_minutes", "How long `holdSlot` keeps a picked time, in minutes.")
    max_holds_per_caller: int = mirror("max_holds_per_caller", "How many times one caller may hold at once.")
    waitlist_offer_minutes: int = mirror("waitlist_offer_minutes", "How long a waitlist offer's link lasts, in minutes.")

    @strawberry.field(description="HOLD or ALL: how a freed time is offered to the waitlist (see WaitlistOfferMode).")
    def waitlist_offer_mode(self) -> str:
        return self.model.waitlist_offer_mode

    @strawberry.field(description="Online-bookable treatments (all of them for the clinic's staff).")
    async def treatments(self, info: Info) -> list[Treatment]:
        rows = await catalogue.treatments(info.context.runtime.clinics, info.context.principal, self.model)
        loaders = info.context.loaders
        loaders.clinic.prime(self.model.id, self.model)
        for row in rows:
            loaders.treatment.prime((self.model.id, row.id), row)
        return [Treatment(model=t) for t in rows]

    @strawberry.field
    async def practitioners(self, info: Info) -> list[Practitioner]:
        rows = await catalogue.practitioners(info.context.runtime.clinics, self.model)
        for row in rows:
            info.context.loaders.practitioner.prime((self.model.id, row.id), row)
        return [Practitioner(model=p) for p in rows]
