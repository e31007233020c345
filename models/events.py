"""The clinic's event log: every change a calendar must hear of, written in
the same transaction as the change itself.

Each clinic numbers its events 1, 2, 3... (`position`); the counter lives
in `EventHead`, one row per clinic, and is moved by the same transaction
that writes the event. A second writer in that clinic waits on the head
row until the first commits, so positions are handed out in commit order:
whoever has seen position n committed knows every earlier one is too. That
is what lets a subscriber resume after a cursor without a gap.

`published` is the relay's mark (realtime/relay.py): set once the event
went out to every process. Rows older than the retention are pruned; the
head keeps counting, so a position is never reused."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.base import utcnow


class EventKind(StrEnum):
    BOOKED = "BOOKED"
    CANCELLED = "CANCELLED"
    RESCHEDULED = "RESCHEDULED"
    UPDATED = "UPDATED"  # a status change: completed, no-show, consent signed
    # A slot hold (no appointment): the time is taken, or free again. Heard
    # by the booking page's free-time watchers, not by calendars.
    HELD = "HELD"
    RELEASED = "RELEASED"
    # A practitioner's hours changed (a day's exception, or the whole week): free times move.
    ROSTER_CHANGED = "ROSTER_CHANGED"
    # The clinic's settings, catalogue or weekly hours changed (written by
    # database triggers, models/migrations/0017_settings_events.py): what a
    # process keeps of the clinic is dropped. No practitioner, no stretch.
    SETTINGS_CHANGED = "SETTINGS_CHANGED"


APPOINTMENT_KINDS = (EventKind.BOOKED, EventKind.CANCELLED, EventKind.RESCHEDULED, EventKind.UPDATED)


class EventHead(Model):
    """The last position handed out in a clinic."""

    clinic_id = fields.UUIDField(primary_key=True)
    position = fields.BigIntField(default=0)

    class Meta:
        table = "event_head"


class ClinicEvent(Model):
    id = fields.BigIntField(primary_key=True)
    clinic = fields.ForeignKeyField("models.Clinic", related_name=False, on_delete=fields.CASCADE)
    clinic_id: uuid.UUID
    position = fields.BigIntField()
    kind = fields.CharEnumField(EventKind, max_length=24)
    appointment_id = fields.UUIDField(null=True)
    practitioner_id = fields.UUIDField(null=True)
    client_id = fields.UUIDField(null=True)
    previous_id = fields.UUIDField(null=True)  # the old appointment of a move
    # The stretch of the practitioner's diary whose free times the change touched.
    span_start = fields.DatetimeField(null=True)
    span_end = fields.DatetimeField(null=True)
    occurred_at = fields.DatetimeField(default=utcnow, db_index=True)
    published = fields.BooleanField(default=False, db_index=True)

    class Meta:
        table = "clinic_event"
        unique_together = (("clinic", "position"),)
