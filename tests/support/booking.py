"""GraphQL documents and helpers shared by the booking tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

APPOINTMENT_FIELDS = "id start end status canCancel cancelledAt treatment { name } practitioner { id name } price { amount currency }"
BOOK = (
    "mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {"
    f" appointment {{ {APPOINTMENT_FIELDS} }} userErrors {{ code message field }} }} }}"
)
CANCEL = (
    "mutation($id: ID!, $reason: String) { cancelAppointment(id: $id, reason: $reason) {"
    f" appointment {{ {APPOINTMENT_FIELDS} }} userErrors {{ code message field }} }} }}"
)
RESCHEDULE = (
    "mutation($id: ID!, $start: DateTime!, $p: ID) { rescheduleAppointment(id: $id, start: $start, practitionerId: $p) {"
    f" appointment {{ {APPOINTMENT_FIELDS} rescheduledFromId }} userErrors {{ code message field }} }} }}"
)
REPEAT = (
    "mutation($id: ID!, $start: DateTime!) { repeatAppointment(id: $id, start: $start) {"
    f" appointment {{ {APPOINTMENT_FIELDS} }} userErrors {{ code message field }} }} }}"
)
SLOTS = (
    "query($c: String!, $t: ID!, $f: Date!, $l: Date!, $p: ID) {"
    " availableSlots(clinicSlug: $c, treatmentId: $t, from: $f, to: $l, practitionerId: $p) { start practitioner { id } } }"
)


def working_day(days_ahead: int, tz: str = "Europe/London") -> datetime:
    """A Monday-to-Saturday date at least `days_ahead` days away, as local midnight."""
    zone = ZoneInfo(tz)
    day = (datetime.now(UTC) + timedelta(days=days_ahead)).astimezone(zone).date()
    while day.weekday() == 6:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time(), tzinfo=zone)


def at(days_ahead: int, hour: int, minute: int = 0, tz: str = "Europe/London") -> str:
    """An ISO start time on a working day, in local wall time."""
    return working_day(days_ahead, tz).replace(hour=hour, minute=minute).isoformat()


def book_input(demo, slug: str = "demo", treatment: str = "Facial", start: str | None = None, **extra) -> dict:
    clinic = demo[slug]
    return {
        "clinicSlug": slug,
        "treatmentId": str(clinic.treatments[treatment].id),
        "start": start or at(5, 11),
        **extra,
    }


def errors(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]
