"""Appointment events. `publish` is called after the transaction commits and
never waits or fails: a booking stands even when Redis is down."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from models import Appointment, utcnow
from realtime.hub import Hub, calendar_channel

class EventKind(StrEnum):
    BOOKED = "BOOKED"
    CANCELLED = "CANCELLED"
    RESCHEDULED = "RESCHEDULED"
    UPDATED = "UPDATED"  # a status change: completed, no-show


BOOKED, CANCELLED, RESCHEDULED, UPDATED = EventKind


@dataclass(frozen=True)
class AppointmentEvent:
    kind: EventKind
    clinic_id: uuid.UUID
    appointment_id: uuid.UUID
    practitioner_id: uuid.UUID
    client_id: uuid.UUID
    occurred_at: datetime
    previous_id: uuid.UUID | None = None

    def dumps(self) -> str:
        return json.dumps({k: str(v) if v is not None else None for k, v in self.__dict__.items() if k != "occurred_at"} | {"occurred_at": self.occurred_at.isoformat()})

    @classmethod
    def loads(cls, raw: str) -> AppointmentEvent:
        data = json.loads(raw)
        return cls(
            kind=EventKind(data["kind"]),
            clinic_id=uuid.UUID(data["clinic_id"]),
            appointment_id=uuid.UUID(data["appointment_id"]),
            practitioner_id=uuid.UUID(data["practitioner_id"]),
            client_id=uuid.UUID(data["client_id"]),
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            previous_id=uuid.UUID(data["previous_id"]) if data.get("previous_id") else None,
        )


def publish(hub: Hub | None, kind: EventKind, appointment: Appointment, previous: Appointment | None = None) -> None:
    """Queue the event on the hub; returns at once, whatever Redis is doing.
    Without a hub (a process that serves no live updates) it is dropped."""
    event = AppointmentEvent(
        kind=kind,
        clinic_id=appointment.clinic_id,
        appointment_id=appointment.id,
        practitioner_id=appointment.practitioner_id,
        client_id=appointment.client_id,
        occurred_at=utcnow(),
        previous_id=previous.id if previous else None,
    )
    if hub is not None:
        hub.publish(calendar_channel(event.clinic_id), event.dumps())
