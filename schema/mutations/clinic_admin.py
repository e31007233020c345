"""The clinic's administrators set up the portal, the catalogue, the
diaries and the staff."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.file_uploads import Upload

from resolvers.admin import catalogue_admin
from resolvers.admin import portal_settings
from resolvers.admin import rosters
from resolvers.admin import staff_admin
from resolvers.admin import staff_invites
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.inputs import provided
from schema.mutations.auth import SignInPayload, _session
from schema.types.admin import ConsentForm, RosterException, RosterExceptionKind, StaffRole, StaffUser, WorkingHours
from schema.types.catalogue import Clinic, Practitioner, Treatment
from schema.types.waitlist import WaitlistOfferMode

UNSET = strawberry.UNSET


@strawberry.input(description="Only the fields given change; a text sent as null is cleared.")
class PortalSettingsInput:
    name: str | None = UNSET
    portal_enabled: bool | None = UNSET
    accepts_new_clients: bool | None = UNSET
    show_prices: bool | None = UNSET
    cancellation_notice_hours: int | None = UNSET
    cancellation_policy_text: str | None = UNSET
    booking_instructions: str | None = UNSET
    terms_and_conditions: str | None = UNSET
    booking_min_notice_minutes: int | None = UNSET
    booking_horizon_days: int | None = UNSET
    slot_step_minutes: int | None = UNSET
    hold_minutes: int | None = strawberry.field(
        default=UNSET, description="How long `holdSlot` keeps a picked time: 1 to 60 minutes."
    )
    max_holds_per_caller: int | None = strawberry.field(
        default=UNSET, description="How many times one caller may hold at once: 1 to 20."
    )
    waitlist_offer_mode: WaitlistOfferMode | None = strawberry.field(
        default=UNSET, description="How a freed time is offered to the waitlist (see WaitlistOfferMode)."
    )
    waitlist_offer_minutes: int | None = strawberry.field(
        default=UNSET, description="How long a waitlist offer's link (and, with HOLD, its hold) lasts: 5 to 1440 minutes."
    )
    background_color: str | None = strawberry.field(default=UNSET, description="A CSS hex colour, e.g. #f4efe9.")
    practitioners_see_all_diaries: bool | None = UNSET
    clients_can_book: bool | None = strawberry.field(
        default=UNSET, description="Whether clients may book in the portal (staff and partner keys always may)."
    )
    clients_can_cancel: bool | None = strawberry.field(
        default=UNSET, description="Whether clients may cancel in the portal (staff and partner keys always may)."
    )
    clients_can_reschedule: bool | None = strawberry.field(
        default=UNSET, description="Whether clients may move appointments in the portal (staff and partner keys always may)."
    )
    verify_manual_entry: bool | None = strawberry.field(
        default=UNSET,
        description="Whether details typed on the booking page that match an existing client need a one-time code"
        " sent to that client before the booking is theirs.",
    )


@strawberry.type
class ClinicPayload(Payload):
    clinic: Clinic | None = None


@strawberry.input
class TreatmentInput:
    name: str | None = UNSET
    description: str | None = UNSET
    duration_minutes: int | None = UNSET
    buffer_before_minutes: int | None = UNSET
    buffer_after_minutes: int | None = UNSET
    price: str | None = strawberry.field(default=UNSET, description='In the clinic\'s currency, e.g. "45.00".')
    online_bookable: bool | None = UNSET
    archived: bool | None = strawberry.field(default=UNSET, description="Archived: off the portal and new bookings.")
    consent_form_id: strawberry.ID | None = UNSET


@strawberry.type
class TreatmentPayload(Payload):
    treatment: Treatment | None = None


@strawberry.input
class PractitionerInput:
    name: str | None = UNSET
    contact_email: str | None = UNSET
    active: bool | None = UNSET


@strawberry.type
class PractitionerPayload(Payload):
    practitioner: Practitioner | None = None


@strawberry.input
class ConsentFormInput:
    title: str | None = UNSET
    body: str | None = UNSET


@strawberry.type
class ConsentFormPayload(Payload):
    consent_form: ConsentForm | None = None


@strawberry.type
class DeletePayload(Payload):
    deleted_id: strawberry.ID | None = None


@strawberry.input
class WorkingHoursInput:
    weekday: int = strawberry.field(description="0 = Monday ... 6 = Sunday.")
    start: str = strawberry.field(description='"HH:MM", local time.')
    end: str = strawberry.field(description='"HH:MM"; "24:00" for midnight.')


@strawberry.type
class WeeklyHoursPayload(Payload):
    weekly_hours: list[WorkingHours] | None = None


@strawberry.type
class RosterExceptionPayload(Payload):
    roster_exception: RosterException | None = None


@strawberry.input
class StaffUserInput:
    email: str | None = UNSET
    full_name: str | None = UNSET
    role: StaffRole | None = UNSET
    practitioner_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="The diary of a PRACTITIONER-role user."
    )
    password: str | None = strawberry.field(default=UNSET, description="At least 10 characters.")
    active: bool | None = strawberry.field(default=UNSET, description="false: signed out and unable to sign in.")


@strawberry.type(description="Pass the link on to the new user; it is shown once and works once, for 7 days.")
class StaffInvite:
    token: str
    url: str
    expires_at: datetime


@strawberry.type
class StaffUserPayload(Payload):
    staff_user: StaffUser | None = None
    invite: StaffInvite | None = strawberry.field(default=None, description="When no password was given.")


async def _clinic(work) -> dict:
    return {"clinic": Clinic(model=await work)}


async def _treatment(work) -> dict:
    return {"treatment": Treatment(model=await work)}


async def _practitioner(work) -> dict:
    return {"practitioner": Practitioner(model=await work)}


async def _consent_form(work) -> dict:
    return {"consent_form": ConsentForm(model=await work)}


async def _staff_user(work) -> dict:
    return {"staff_user": StaffUser(model=await work)}


async def _invited(work) -> dict:
    user, invite = await work
    shown = StaffInvite(token=invite.token, url=invite.url, expires_at=invite.expires_at) if invite else None
    return {"staff_user": StaffUser(model=user), "invite": shown}


async def _deleted(work, ident: strawberry.ID) -> dict:
    await work
    return {"deleted_id": ident}


async def _weekly(work) -> dict:
    return {"weekly_hours": [WorkingHours(model=r) for r in await work]}


async def _exception(work) -> dict:
    return {"roster_exception": RosterException(model=await work)}


@strawberry.type
class ClinicAdminMutations:
    @strawberry.mutation(description="Admin: the portal's settings, texts, booking window and colour.")
    async def update_portal_settings(self, info: Info, input: PortalSettingsInput) -> ClinicPayload:
        changes = provided(input, {"background_color": "branding_background_color"})
        return await payload(ClinicPayload, _clinic(portal_settings.update_portal_settings(info.context.principal, changes)))

    @strawberry.mutation(description="Admin: a PNG, JPEG or WebP logo, as a GraphQL multipart upload.")
    async def upload_logo(self, info: Info, file: Upload) -> ClinicPayload:
        return await payload(ClinicPayload, _clinic(portal_settings.upload_logo(info.context.runtime.settings, info.context.principal, file)))

    @strawberry.mutation(description="Admin: the portal shows no logo.")
    async def remove_logo(self, info: Info) -> ClinicPayload:
        return await payload(ClinicPayload, _clinic(portal_settings.remove_logo(info.context.runtime.settings, info.context.principal)))

    @strawberry.mutation(description="Admin. Needs name and durationMinutes.")
    async def create_treatment(self, info: Info, input: TreatmentInput) -> TreatmentPayload:
        work = catalogue_admin.create_treatment(info.context.principal, provided(input))
        return await payload(TreatmentPayload, _treatment(work))

    @strawberry.mutation(description="Admin; `archived: true` archives it.")
    async def update_treatment(self, info: Info, id: strawberry.ID, input: TreatmentInput) -> TreatmentPayload:
        work = catalogue_admin.update_treatment(info.context.principal, id, provided(input))
        return await payload(TreatmentPayload, _treatment(work))

    @strawberry.mutation(description="Admin: exactly these practitioners offer the treatment.")
    async def set_treatment_practitioners(
        self, info: Info, treatment_id: strawberry.ID, practitioner_ids: list[strawberry.ID]
    ) -> TreatmentPayload:
        work = catalogue_admin.set_treatment_practitioners(info.context.principal, treatment_id, practitioner_ids)
        return await payload(TreatmentPayload, _treatment(work))

    @strawberry.mutation(description="Admin: a new diary. Needs name.")
    async def create_practitioner(self, info: Info, input: PractitionerInput) -> PractitionerPayload:
        work = catalogue_admin.create_practitioner(info.context.principal, provided(input))
        return await payload(PractitionerPayload, _practitioner(work))

    @strawberry.mutation(description="Admin; `active: false` takes the diary off the portal.")
    async def update_practitioner(self, info: Info, id: strawberry.ID, input: PractitionerInput) -> PractitionerPayload:
        work = catalogue_admin.update_practitioner(info.context.principal, id, provided(input))
        return await payload(PractitionerPayload, _practitioner(work))

    @strawberry.mutation(description="Admin: replaces the practitioner's weekly hours.")
    async def set_weekly_hours(
        self, info: Info, practitioner_id: strawberry.ID, hours: list[WorkingHoursInput]
    ) -> WeeklyHoursPayload:
        spans = [rosters.Hours(h.weekday, h.start, h.end) for h in hours]
        work = rosters.set_weekly_roster(info.context.principal, practitioner_id, spans)
        return await payload(WeeklyHoursPayload, _weekly(work))

    @strawberry.mutation(description="Admin: a day off (no times), blocked hours (OFF with times) or extra hours.")
    async def add_roster_exception(
        self,
        info: Info,
        practitioner_id: strawberry.ID,
        date: date,
        kind: RosterExceptionKind,
        start: str | None = None,
        end: str | None = None,
        note: str | None = None,
    ) -> RosterExceptionPayload:
        work = rosters.add_roster_exception(info.context.runtime, info.context.principal, practitioner_id, date, kind, start, end, note)
        return await payload(RosterExceptionPayload, _exception(work))

    @strawberry.mutation(description="Admin.")
    async def remove_roster_exception(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await payload(DeletePayload, _deleted(rosters.remove_roster_exception(info.context.principal, id), id))

    @strawberry.mutation(description="Admin.")
    async def create_consent_form(self, info: Info, title: str, body: str) -> ConsentFormPayload:
        work = catalogue_admin.create_consent_form(info.context.principal, title, body)
        return await payload(ConsentFormPayload, _consent_form(work))

    @strawberry.mutation(description="Admin.")
    async def update_consent_form(self, info: Info, id: strawberry.ID, input: ConsentFormInput) -> ConsentFormPayload:
        work = catalogue_admin.update_consent_form(info.context.principal, id, provided(input))
        return await payload(ConsentFormPayload, _consent_form(work))

    @strawberry.mutation(description="Admin; treatments that linked it no longer ask for one.")
    async def delete_consent_form(self, info: Info, id: strawberry.ID) -> DeletePayload:
        work = catalogue_admin.delete_consent_form(info.context.principal, id)
        return await payload(DeletePayload, _deleted(work, id))

    @strawberry.mutation(
        description="Admin. Needs email and fullName; role ADMIN unless given; without a password, an invitation."
    )
    async def create_staff_user(self, info: Info, input: StaffUserInput) -> StaffUserPayload:
        work = staff_admin.create_staff_user(info.context.runtime, info.context.principal, provided(input))
        return await payload(StaffUserPayload, _invited(work))

    @strawberry.mutation(description="Admin: a new invitation link; earlier ones stop working.")
    async def reinvite_staff_user(self, info: Info, id: strawberry.ID) -> StaffUserPayload:
        return await payload(StaffUserPayload, _invited(staff_invites.reinvite_staff_user(info.context.runtime, info.context.principal, id)))

    @strawberry.mutation(description="The invited user chooses a password (10+ characters) and is signed in.")
    async def accept_staff_invite(self, info: Info, token: str, password: str) -> SignInPayload:
        work = staff_invites.accept_staff_invite(info.context.runtime, token, password, info.context.ip)
        return await payload(SignInPayload, _session(work))

    @strawberry.mutation(description="Admin: role, diary, password, or `active: false` to deactivate.")
    async def update_staff_user(self, info: Info, id: strawberry.ID, input: StaffUserInput) -> StaffUserPayload:
        work = staff_admin.update_staff_user(info.context.runtime, info.context.principal, id, provided(input))
        return await payload(StaffUserPayload, _staff_user(work))
