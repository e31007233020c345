"""The demo data that `make run` seeds: two clinics, as listed in the README,
and (with `history`) five weeks of their past for the reports page.
Seeding is idempotent: a clinic whose slug exists is left alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    Client,
    Clinic,
    ConsentForm,
    Practitioner,
    PractitionerTreatment,
    RosterEntry,
    StaffRole,
    StaffUser,
    Treatment,
    WaitlistEntry,
    utcnow,
)
from models.db import write_transaction
from resolvers.account.auth import hash_password
from resolvers.core.runtime import Runtime
from resolvers.notifications.email_templates import seed_default_templates
from resolvers.demo.balances import seed_balances
from resolvers.demo.history import seed_history
from resolvers.demo.documents import seed_documents
from resolvers.demo.series import seed_series


@dataclass(frozen=True)
class DemoClinic:
    slug: str
    name: str
    timezone: str
    currency: str
    country: str
    owner: tuple[str, str]
    client: tuple[str, str, str, str]  # name, e-mail, password, phone
    practitioners: tuple[tuple[str, str], ...]  # name, e-mail (the first also signs in)


DEMO_CLINICS = (
    DemoClinic(
        slug="demo",
        name="Demo Skin Clinic",
        timezone="Europe/London",
        currency="GBP",
        country="GB",
        owner=("owner@demo.clinic", "demo-owner-pass"),
        client=("Jamie Client", "client@demo.clinic", "demo-client-pass", "+447700900001"),
        practitioners=(("Alex Morgan", "alex@demo.clinic"), ("Sam Patel", "sam@demo.clinic")),
    ),
    DemoClinic(
        slug="northside",
        name="Northside Salon",
        timezone="America/New_York",
        currency="USD",
        country="US",
        owner=("owner@northside.clinic", "northside-owner-pass"),
        client=("Riley Client", "client@northside.clinic", "northside-client-pass", "+12025550101"),
        practitioners=(("Casey Brooks", "casey@northside.clinic"), ("Jordan Lee", "jordan@northside.clinic")),
    ),
)

PRACTITIONER_PASSWORD = "demo-practitioner-pass"

# Clearly fake Twilio credentials for the `demo` clinic: with TWILIO_API_BASE
# pointing at `clinicportal sandbox` (as `make run` does) its SMS land there.
DEMO_TWILIO = {
    "twilio_account_sid": "AC" + "00demo00" * 4,
    "twilio_auth_token": "demo-auth-token-not-a-secret",
    "twilio_from_number": "+15005550006",  # Twilio's test sender number
}

# name, minutes, buffer after, price, consent form?
TREATMENTS = (
    ("Consultation", 30, 0, Decimal("25.00"), False),
    ("Facial", 60, 15, Decimal("65.00"), False),
    ("Chemical Peel", 45, 15, Decimal("90.00"), True),
)


def _working_day(start: date, step: int) -> date:
    """The first Monday-to-Saturday date from `start`, moving by `step` days."""
    day = start
    while day.weekday() == 6:
        day += timedelta(days=step)
    return day


async def _seed_clinic(spec: DemoClinic, hashes: dict[str, str], series: bool) -> Clinic:
    tz = ZoneInfo(spec.timezone)
    clinic = await Clinic.create(
        slug=spec.slug,
        name=spec.name,
        timezone=spec.timezone,
        currency=spec.currency,
        country=spec.country,
        cancellation_notice_hours=24,
        cancellation_policy_text="Please give 24 hours' notice to cancel or move an appointment.",
        booking_instructions="Arrive five minutes early. Tell us about allergies when you book.",
        terms_and_conditions="By booking you accept our cancellation policy.",
        branding_background_color="#f4efe9",
        # Clients book, cancel and move in the portal; typed-in details that
        # match a client on the booking page need the code sent to that client.
        clients_can_book=True,
        clients_can_cancel=True,
        clients_can_reschedule=True,
        verify_manual_entry=True,
        hold_minutes=5,  # a picked time is kept as long as a pre-fill token lasts
        max_holds_per_caller=3,
        waitlist_offer_mode="HOLD",  # a freed time is kept for the first in line while the offer lasts
        waitlist_offer_minutes=30,
        **(DEMO_TWILIO if spec.slug == "demo" else {}),
    )
    consent = await ConsentForm.create(
        clinic=clinic, title="Chemical peel consent", body="I understand the risks of a chemical peel."
    )
    practitioners = [
        await Practitioner.create(clinic=clinic, name=name, contact_email=email) for name, email in spec.practitioners
    ]
    treatments = [
        await Treatment.create(
            clinic=clinic,
            name=name,
            duration_minutes=minutes,
            buffer_after_minutes=after,
            price=price,
            consent_form=consent if needs_consent else None,
        )
        for name, minutes, after, price, needs_consent in TREATMENTS
    ]
    for practitioner in practitioners:
        for treatment in treatments:
            await PractitionerTreatment.create(clinic=clinic, practitioner=practitioner, treatment=treatment)
        for weekday in range(6):
            await RosterEntry.create(
                clinic=clinic, practitioner=practitioner, weekday=weekday, start_minute=9 * 60, end_minute=18 * 60
            )
    await StaffUser.create(
        clinic=clinic, email=spec.owner[0], full_name="Clinic Owner", password_hash=hashes[spec.owner[1]]
    )
    await StaffUser.create(
        clinic=clinic,
        email=spec.practitioners[0][1],
        full_name=spec.practitioners[0][0],
        password_hash=hashes[PRACTITIONER_PASSWORD],
        role=StaffRole.PRACTITIONER,
        practitioner=practitioners[0],
    )
    # Practitioners get an e-mail per booking and cancellation clients make in
    # the portal; the front desk its own e-mail about those bookings.
    await seed_default_templates(clinic.id, [f"frontdesk@{spec.owner[0].split('@')[1]}"])
    name, email, password, phone = spec.client
    client = await Client.create(
        clinic=clinic, full_name=name, email=email, phone=phone, password_hash=hashes[password]
    )
    today = utcnow().astimezone(tz).date()
    facial = treatments[1]
    for day, status in (
        (_working_day(today - timedelta(days=7), -1), AppointmentStatus.COMPLETED),
        (_working_day(today + timedelta(days=3), 1), AppointmentStatus.BOOKED),
    ):
        start = datetime.combine(day, time(10, 0), tzinfo=tz).astimezone(ZoneInfo("UTC"))
        end = start + timedelta(minutes=facial.duration_minutes)
        await Appointment.create(
            clinic=clinic,
            practitioner=practitioners[0],
            treatment=facial,
            client=client,
            start_at=start,
            end_at=end,
            occupied_start=start,
            occupied_end=end + timedelta(minutes=facial.buffer_after_minutes),
            status=status,
            source=AppointmentSource.PORTAL,
            price=facial.price,
            currency=clinic.currency,
        )
    await seed_balances(clinic, client, facial)
    # The client waits for a late-afternoon peel with the second practitioner
    # a month or so ahead: staff see it under `waitlist`, the client under `myWaitlist`.
    await WaitlistEntry.create(
        clinic=clinic, client=client, treatment=treatments[2], practitioner=practitioners[1],
        date_from=today + timedelta(days=30), date_to=today + timedelta(days=44),
        earliest_minute=16 * 60, latest_minute=17 * 60 + 30,
    )  # fmt: skip
    await seed_documents(clinic, client)
    if series and spec.slug == "demo":
        # A regular's series, so the demo client's portal keeps its one upcoming visit.
        regular = await Client.create(
            clinic=clinic, full_name="Jordan Reyes", email=f"jordan.reyes@{clinic.slug}.example", phone="+447700900222"
        )
        await seed_series(clinic, regular, practitioners[1], treatments[0])
    return clinic


async def seed_demo(rt: Runtime, history: bool = False, *, series: bool = True) -> list[str]:
    """Seed the demo clinics that are missing, with their past visits,
    payments and refunds when `history` is set; returns the slugs seeded.
    `series=False` leaves out the demo client's recurring series (tests that
    count the client's appointments expect one upcoming and one past)."""
    missing = [spec for spec in DEMO_CLINICS if not await Clinic.exists(slug=spec.slug)]
    passwords = {PRACTITIONER_PASSWORD} | {p for s in missing for p in (s.owner[1], s.client[2])}
    hashes = {p: await hash_password(rt, p) for p in passwords}
    for spec in missing:
        async with write_transaction():
            clinic = await _seed_clinic(spec, hashes, series)
            if history:
                await seed_history(clinic)
    return [spec.slug for spec in missing]
