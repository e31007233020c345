"""The practitioner's e-mail about a new or cancelled appointment: a planner
(see resolvers/side_effects.py) that fills in the clinic's chosen template
inside the change's transaction and queues it on the outbox. The message is
filled in once, when queued: editing the template later does not change a
message already on its way.

- BOOKED (a repeat too): the new-appointment template, to the practitioner's
  diary contact and the clinic's extra addresses.
- RESCHEDULED: the new-appointment template for the new time, to the same
  people; when the appointment moved to another practitioner, the previous
  one gets the cancelled-appointment template for the old time.
- CANCELLED: the cancelled-appointment template, to the practitioner.

The occurrences of a recurring series are not announced one by one: the
series sends each practitioner one new-appointment e-mail naming all of
theirs (series_notice.py, through `send_new_appointment`)."""

from __future__ import annotations

from models import Appointment, Clinic, EmailTemplate, Practitioner, PractitionerEmailSettings
from realtime import events
from realtime.events import EventKind
from resolvers.notifications import templating
from resolvers.notifications.outbox import enqueue
from resolvers.notifications.change_rows import ChangeRows
from resolvers.core.runtime import Runtime

PURPOSE_NEW = "practitioner_new_appointment"
PURPOSE_CANCELLED = "practitioner_cancelled_appointment"


async def _facts(appointment: Appointment, clinic: Clinic, rows: ChangeRows) -> tuple[templating.AppointmentFacts, Practitioner]:
    client = await rows.client(appointment)
    treatment = await rows.treatment(appointment)
    practitioner = await rows.practitioner(appointment)
    facts = templating.AppointmentFacts(
        client_full_name=client.full_name,
        client_mobile_phone=client.phone,
        client_email=client.email,
        start=appointment.start_at,
        end=appointment.end_at,
        treatment_name=treatment.name,
        practitioner_name=practitioner.name,
        clinic_name=clinic.name,
        timezone=clinic.timezone,
        cancellation_reason=appointment.cancellation_reason if appointment.cancelled_at else None,
    )
    return facts, practitioner


async def _send(
    clinic: Clinic, template: EmailTemplate, appointment: Appointment, extra: list[str], purpose: str, rows: ChangeRows,
    appendix: str = "",
) -> None:
    """To the practitioner's diary contact and `extra`; `appendix` follows the body."""
    facts, practitioner = await _facts(appointment, clinic, rows)
    values = facts.values()
    recipients = list(dict.fromkeys(a for a in [practitioner.contact_email, *extra] if a))
    if not recipients:
        return
    await enqueue(
        clinic.id,
        "email",
        {
            "to": recipients,
            "subject": templating.one_line(templating.render(template.subject, values)),
            "body": templating.render(template.body, values) + appendix,
            "purpose": purpose,
        },
        appointment_id=appointment.id,
    )


async def _template(clinic: Clinic, template_id) -> EmailTemplate | None:
    if template_id is None:
        return None
    return await EmailTemplate.get_or_none(id=template_id, clinic_id=clinic.id)


async def send_new_appointment(clinic: Clinic, appointment: Appointment, rows: ChangeRows, appendix: str) -> None:
    """The new-appointment e-mail about `appointment`, with `appendix` after
    the clinic's text, when the clinic chose one."""
    choice = await PractitionerEmailSettings.filter(clinic_id=clinic.id).first()
    template = await _template(clinic, choice.new_appointment_template_id) if choice else None
    if template is not None:
        await _send(clinic, template, appointment, choice.extra_new_appointment_recipients, PURPOSE_NEW, rows, appendix)


async def plan_practitioner_emails(
    rt: Runtime, kind: EventKind, appointment: Appointment, clinic: Clinic, previous: Appointment | None, rows: ChangeRows
) -> None:
    if kind not in (events.BOOKED, events.RESCHEDULED, events.CANCELLED):
        return
    choice = await PractitionerEmailSettings.filter(clinic_id=clinic.id).first()
    if choice is None:
        return
    in_series = kind == events.BOOKED and appointment.series_id is not None
    if kind in (events.BOOKED, events.RESCHEDULED) and not in_series:
        template = await _template(clinic, choice.new_appointment_template_id)
        if template is not None:
            await _send(clinic, template, appointment, choice.extra_new_appointment_recipients, PURPOSE_NEW, rows)
    moved_away = kind == events.RESCHEDULED and previous and previous.practitioner_id != appointment.practitioner_id
    if kind == events.CANCELLED or moved_away:
        cancelled = appointment if kind == events.CANCELLED else previous
        template = await _template(clinic, choice.cancelled_appointment_template_id)
        if template is not None:
            await _send(clinic, template, cancelled, [], PURPOSE_CANCELLED, rows)
