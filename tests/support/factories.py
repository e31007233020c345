"""Builders for clinics the demo data does not cover."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from models import Clinic, Practitioner, PractitionerTreatment, RosterEntry, Treatment


@dataclass
class Built:
    clinic: Clinic
    treatment: Treatment
    practitioners: list[Practitioner]


async def make_clinic(
    slug: str,
    timezone: str = "Europe/London",
    *,
    practitioners: int = 1,
    weekdays: range = range(7),
    hours: tuple[int, int] = (9 * 60, 18 * 60),
    duration: int = 60,
    buffer_before: int = 0,
    buffer_after: int = 0,
    step: int = 15,
    horizon_days: int = 180,
    min_notice_minutes: int = 60,
    **clinic_fields,
) -> Built:
    clinic = await Clinic.create(
        slug=slug,
        name=slug.title(),
        timezone=timezone,
        slot_step_minutes=step,
        booking_horizon_days=horizon_days,
        booking_min_notice_minutes=min_notice_minutes,
        **clinic_fields,
    )
    treatment = await Treatment.create(
        clinic=clinic,
        name="Treatment",
        duration_minutes=duration,
        buffer_before_minutes=buffer_before,
        buffer_after_minutes=buffer_after,
        price=Decimal("50.00"),
    )
    people = []
    for n in range(practitioners):
        person = await Practitioner.create(clinic=clinic, name=f"Practitioner {n + 1}")
        await PractitionerTreatment.create(clinic=clinic, practitioner=person, treatment=treatment)
        for weekday in weekdays:
            await RosterEntry.create(
                clinic=clinic, practitioner=person, weekday=weekday, start_minute=hours[0], end_minute=hours[1]
            )
        people.append(person)
    return Built(clinic, treatment, people)
