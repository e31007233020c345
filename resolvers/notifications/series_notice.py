"""The one confirmation of a recurring series. Its occurrences are booked
with their own reminders and notices (sms_plan.py), but without a
confirmation each: one SMS to the client, and one new-appointment e-mail to
each practitioner naming all their occurrences, planned in the series'
transaction, announce them all at once."""

from __future__ import annotations

import uuid

from models import Appointment, Clinic
from resolvers.notifications import sms_texts, templating
from resolvers.notifications.practitioner_emails import send_new_appointment
from resolvers.notifications.change_rows import ChangeRows
from resolvers.notifications.outbox import enqueue

PURPOSE = "series_confirmation"


async def plan_series_confirmation(clinic: Clinic, booked: list[Appointment]) -> None:
    """`booked`: the occurrences of one series, in order."""
    if not booked:
        return
    rows = ChangeRows(clinic)
    await _practitioner_emails(clinic, booked, rows)
    if clinic.sms_configured:
        await _client_sms(clinic, booked, rows)


async def _practitioner_emails(clinic: Clinic, booked: list[Appointment], rows: ChangeRows) -> None:
    by_practitioner: dict[uuid.UUID, list[Appointment]] = {}
    for appointment in booked:
        by_practitioner.setdefault(appointment.practitioner_id, []).append(appointment)
    for theirs in by_practitioner.values():
        when = [templating.local_time(a.start_at, clinic.timezone) for a in theirs]
        appendix = "\n\nPart of a recurring series. Its appointments in this diary:\n" + "\n".join(
            f"- {moment}" for moment in when
        )
        await send_new_appointment(clinic, theirs[0], rows, appendix)


async def _client_sms(clinic: Clinic, booked: list[Appointment], rows: ChangeRows) -> None:
    first, last = booked[0], booked[-1]
    client = await rows.client(first)
    if not client.phone:
        return
    treatment = await rows.treatment(first)
    body = sms_texts.render_series(
        client.language,
        clinic=clinic.name,
        treatment=treatment.name,
        count=len(booked),
        first=first.start_at,
        last=last.start_at,
        timezone=clinic.timezone,
        country=clinic.country,
    )
    payload = {"to": client.phone, "body": body, "client_id": str(client.id), "purpose": PURPOSE}
    await enqueue(clinic.id, "sms", payload, appointment_id=first.id)
