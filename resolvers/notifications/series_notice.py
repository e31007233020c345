"""The client's one confirmation of a recurring series. Its occurrences are
booked with their own reminders and notices (sms_plan.py), but without a
confirmation each: this SMS, planned in the series' transaction, confirms
them all at once."""

from __future__ import annotations

from models import Appointment, Clinic
from resolvers.notifications import sms_texts
from resolvers.notifications.change_rows import ChangeRows
from resolvers.notifications.outbox import enqueue

PURPOSE = "series_confirmation"


async def plan_series_confirmation(clinic: Clinic, booked: list[Appointment]) -> None:
    """`booked`: the occurrences of one series, in order."""
    if not booked or not clinic.sms_configured:
        return
    first, last = booked[0], booked[-1]
    rows = ChangeRows(clinic)
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
    )
    payload = {"to": client.phone, "body": body, "client_id": str(client.id), "purpose": PURPOSE}
    await enqueue(clinic.id, "sms", payload, appointment_id=first.id)
