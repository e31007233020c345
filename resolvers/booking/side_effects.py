"""What an appointment change sets in motion besides the change itself.

`appointment_changed` runs inside the change's write transaction, right
after the row is written; each planner adds outbox rows (messages,
reminders, webhooks) that commit or roll back with the change, and the
change's events go into the clinic's event log last (they hold the clinic's
event counter until the commit, so the shorter the better). The relay
carries them to the calendars after the commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from tortoise.models import Model

from models import Appointment, Client, Clinic
from models.db import deferred_inserts
from realtime import events
from realtime.events import EventKind
from resolvers.notifications.change_rows import ChangeRows
from resolvers.booking.consent import plan_consent
from resolvers.booking.loyalty_credit import plan_loyalty_credit
from resolvers.booking.membership_sessions import plan_membership_sessions
from resolvers.booking.waitlist_offers import plan_waitlist
from resolvers.notifications.practitioner_emails import plan_practitioner_emails
from resolvers.notifications.webhooks import plan_webhooks
from resolvers.notifications.sms_plan import plan_sms
from resolvers.core.runtime import Runtime

Planner = Callable[[Runtime, EventKind, Appointment, Clinic, "Appointment | None", ChangeRows], Awaitable[None]]

# Each planner owns one kind of consequence.
PLANNERS: list[Planner] = [
    plan_membership_sessions,
    plan_loyalty_credit,
    plan_consent,
    plan_practitioner_emails,
    plan_webhooks,
    plan_sms,
    plan_waitlist,  # a freed time offered to the waiting clients it suits
]


async def appointment_changed(
    rt: Runtime,
    kind: EventKind, appointment: Appointment, clinic: Clinic, previous: Appointment | None = None,
    *, client: Client | None = None, covered: bool | None = None, along: Sequence[Model] = (),
) -> None:
    """BOOKED (also a repeat), CANCELLED, RESCHEDULED (`appointment` is the
    new row, `previous` the old, now cancelled, one) or UPDATED (a status
    change such as completed or no-show). `client`: the appointment's client
    if the change read it; `covered`: whether a membership of theirs may
    cover the treatment, if the change looked; `along`: new rows of the
    change itself, written with its side effects' rows and events."""
    # The client, treatment and practitioner, read once for all planners; the
    # clinic's settings from what the process keeps (synced once per request).
    rows = ChangeRows(clinic, await rt.clinics.facts(clinic.id), client, covered)
    with deferred_inserts() as written:  # outbox messages, ledger rows
        for plan in PLANNERS:
            await plan(rt, kind, appointment, clinic, previous, rows)
    await events.record(kind, appointment, previous, along=[*along, *written])  # one statement on PostgreSQL
