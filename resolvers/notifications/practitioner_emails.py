"""The practitioner's e-mail about a new or cancelled appointment: a planner
(see resolvers/side_effects.py) that fills in the clinic's chosen template
inside the change's transaction and queues it on the outbox. The message is
filled in once, when queued: editing the template later does not change a
message already on its way.

- BOOKED (a repeat too): the new-appointment template, to the practitioner's
  diary contact; the clinic's extra addresses get their own template (the
  practitioner's when the clinic has picked none).
- RESCHEDULED: the same e-mails for the new time; when the appointment
  moved to another practitioner, the previous one gets the
  cancelled-appointment template for the old time.
- CANCELLED: the cancelled-appointment template, to the practitioner.

By default only changes clients make (in the portal or on the booking page)
are e-mailed; a clinic may choose changes made by anyone.

The occurrences of a recurring series are not announced one by one: the
series sends each practitioner one new-appointment e-mail naming all of
theirs (series_notice.py, through `send_new_appointment`)."""

from __future__ import annotations

from models import Appointment, AppointmentSource, Clinic, EmailTemplate, NotifiedChanges, Practitioner, PractitionerEmailSettings
from realtime import events
from realtime.events import EventKind
from resolvers.notifications import templating
from resolvers.notifications.outbox import enqueue
from resolvers.notifications.change_rows import ChangeRows
from resolvers.core.runtime import Runtime

PURPOSE_NEW = "practitioner_new_appointment"
PURPOSE_NEW_EXTRA = "extra_new_appointment"
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
    clinic: Clinic, template: EmailTemplate, appointment: Appointment, recipients: list[str], purpose: str, rows: ChangeRows,
    appendix: str = "",
) -> None:
    """To `recipients`; `appendix` follows the body."""
    facts, _ = await _facts(appointment, clinic, rows)
    values = facts.values()
    recipients = list(dict.fromkeys(a for a in recipients if a))
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


async def send_new_appointment(clinic: Clinic, appointment: Appointment, rows: ChangeRows, appendix: str) -> None:
    """The new-appointment e-mail about `appointment`, with `appendix` after
    the clinic's text, when the clinic chose one."""
    choice = await rows.email_settings()
    if choice is None:
        return
    if choice.notified_changes is not NotifiedChanges.ALL and not made_by_client(events.BOOKED, appointment):
        return
    await _send_new(clinic, choice, appointment, rows, appendix)


async def plan_practitioner_emails(
    rt: Runtime, kind: EventKind, appointment: Appointment, clinic: Clinic, previous: Appointment | None, rows: ChangeRows
) -> None:
    if kind not in (events.BOOKED, events.RESCHEDULED, events.CANCELLED):
        return
    choice = await rows.email_settings()
    if choice is None:
        return
    if choice.notified_changes is not NotifiedChanges.ALL and not made_by_client(kind, appointment):
        return
    in_series = kind == events.BOOKED and appointment.series_id is not None
    if kind in (events.BOOKED, events.RESCHEDULED) and not in_series:
        await _send_new(clinic, choice, appointment, rows)
    moved_away = kind == events.RESCHEDULED and previous and previous.practitioner_id != appointment.practitioner_id
    if kind == events.CANCELLED or moved_away:
        cancelled = appointment if kind == events.CANCELLED else previous
        template = await rows.template(choice.cancelled_appointment_template_id)
        if template is not None:
            practitioner = await rows.practitioner(cancelled)
            await _send(clinic, template, cancelled, [practitioner.contact_email], PURPOSE_CANCELLED, rows)


def made_by_client(kind: EventKind, appointment: Appointment) -> bool:
    """Whether a client made this change, in the portal or on the booking
    page (a cancellation records who made it; a booking or a move, the new
    row's source)."""
    if kind == events.CANCELLED:
        return appointment.cancelled_by == "CLIENT"
    return appointment.source in (AppointmentSource.PORTAL, AppointmentSource.ONLINE)


async def _send_new(
    clinic: Clinic, choice: PractitionerEmailSettings, appointment: Appointment, rows: ChangeRows, appendix: str = ""
) -> None:
    """The practitioner's e-mail and the extra addresses' one: one message
    when both use the same template, so nobody gets it twice."""
    practitioner = await rows.practitioner(appointment)
    own = await rows.template(choice.new_appointment_template_id)
    extra = list(choice.extra_new_appointment_recipients or [])
    extra_template = await rows.template(choice.extra_new_appointment_template_id) or own
    if own is not None and extra_template is not None and own.id == extra_template.id:
        await _send(clinic, own, appointment, [practitioner.contact_email, *extra], PURPOSE_NEW, rows, appendix)
        return
    if own is not None:
        await _send(clinic, own, appointment, [practitioner.contact_email], PURPOSE_NEW, rows, appendix)
    if extra_template is not None:
        others = [a for a in extra if a != practitioner.contact_email]
        await _send(clinic, extra_template, appointment, others, PURPOSE_NEW_EXTRA, rows, appendix)
