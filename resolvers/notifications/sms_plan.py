"""The SMS an appointment change sets in motion: a confirmation, reminders
at the clinic's lead times, a cancellation or reschedule notice. Runs inside
the change's transaction (a planner in resolvers/side_effects.py), so the
rows commit or roll back with the change; a cancellation or a move marks
what the old appointment still had waiting (its confirmation or move notice
not yet sent, its reminders) CANCELLED in that same transaction: a client
is never told an appointment is confirmed after hearing it was cancelled.
An occurrence of a recurring series is booked without a confirmation of its
own: the series sends one for all (series_notice.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from models import Appointment, Clinic, utcnow
from models.clinic import default_reminder_hours
from realtime.events import EventKind
from resolvers.notifications import outbox
from resolvers.notifications import sms_texts
from resolvers.notifications.outbox import enqueue
from resolvers.notifications.change_rows import ChangeRows
from resolvers.core.runtime import Runtime

NOTICE_OF = {
    EventKind.BOOKED: "confirmation",
    EventKind.CANCELLED: "cancellation",
    EventKind.RESCHEDULED: "reschedule",
}


def reminder_hours(clinic: Clinic) -> list[int]:
    hours = clinic.sms_reminder_hours
    return list(hours) if hours is not None else default_reminder_hours()


async def drop_outdated(clinic_id: uuid.UUID, appointment_id: uuid.UUID) -> int:
    """Marks the appointment's SMS still waiting CANCELLED."""
    return await outbox.cancel_pending(clinic_id, appointment_id, sms_texts.ABOUT_THE_BOOKING, "The appointment was cancelled or moved.")


async def plan_sms(
    rt: Runtime, kind: EventKind, appointment: Appointment, clinic: Clinic, previous: Appointment | None, rows: ChangeRows
) -> None:
    if kind is EventKind.CANCELLED:
        await drop_outdated(clinic.id, appointment.id)
    if kind is EventKind.RESCHEDULED and previous is not None:
        await drop_outdated(clinic.id, previous.id)
    purpose = NOTICE_OF.get(kind)
    if purpose is None or not clinic.sms_configured:
        return
    client = await rows.client(appointment)
    if not client.phone:
        return
    treatment = await rows.treatment(appointment)
    practitioner = await rows.practitioner(appointment)
    shown = clinic.show_prices and appointment.price is not None
    price = (appointment.price, appointment.currency) if shown else None

    def text(purpose: str) -> dict:
        body = sms_texts.render(
            purpose,
            client.language,
            clinic=clinic.name,
            treatment=treatment.name,
            practitioner=practitioner.name,
            start=appointment.start_at,
            timezone=clinic.timezone,
            country=clinic.country,
            price=price,
        )
        return {"to": client.phone, "body": body, "client_id": str(client.id), "purpose": purpose}

    confirmed_by_series = kind is EventKind.BOOKED and appointment.series_id is not None
    if not confirmed_by_series:
        await enqueue(clinic.id, "sms", text(purpose), appointment_id=appointment.id)
    if kind is EventKind.CANCELLED:
        return
    now = utcnow()
    for hours in sorted(set(reminder_hours(clinic)), reverse=True):
        due_at = appointment.start_at - timedelta(hours=hours)
        if due_at > now:
            await enqueue(clinic.id, "sms", text("reminder"), due_at=due_at, appointment_id=appointment.id)
