"""Appointment events: written to the clinic's event log (models/events.py)
inside the change's own transaction, read back from it in position order,
and carried between processes as small JSON messages.

`record` is the only writer. It moves the clinic's head and inserts the
events in one statement on PostgreSQL (two on SQLite, under its write
lock); the relay (realtime/relay.py) publishes them after the commit."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.models import Model

from models import Appointment, ClinicEvent, EventHead, EventKind, utcnow
from models.events import APPOINTMENT_KINDS
from models.db import connection, insert_values, is_postgres

__all__ = ["BOOKED", "CANCELLED", "RESCHEDULED", "UPDATED", "AppointmentEvent", "EventKind", "record"]

BOOKED, CANCELLED, RESCHEDULED, UPDATED = APPOINTMENT_KINDS


def calendar_channel(clinic_id: uuid.UUID | str) -> str:
    return f"clinic:{clinic_id}:calendar"


def clinic_of_channel(channel: str) -> uuid.UUID:
    return uuid.UUID(channel.split(":")[1])


@dataclass(frozen=True, slots=True)
class AppointmentEvent:
    kind: EventKind
    clinic_id: uuid.UUID
    position: int
    appointment_id: uuid.UUID | None
    practitioner_id: uuid.UUID | None
    client_id: uuid.UUID | None
    occurred_at: datetime
    previous_id: uuid.UUID | None = None
    span_start: datetime | None = None
    span_end: datetime | None = None

    def dumps(self) -> str:
        return json.dumps({
            "kind": self.kind.value, "clinic_id": str(self.clinic_id), "position": self.position,
            "appointment_id": _text(self.appointment_id), "practitioner_id": _text(self.practitioner_id),
            "client_id": _text(self.client_id), "previous_id": _text(self.previous_id),
            "occurred_at": self.occurred_at.isoformat(),
            "span_start": _text(self.span_start), "span_end": _text(self.span_end),
        })  # fmt: skip

    @classmethod
    def loads(cls, raw: str) -> AppointmentEvent:
        data = json.loads(raw)
        return cls(
            kind=EventKind(data["kind"]),
            clinic_id=uuid.UUID(data["clinic_id"]),
            position=int(data["position"]),
            appointment_id=_uuid(data.get("appointment_id")),
            practitioner_id=_uuid(data.get("practitioner_id")),
            client_id=_uuid(data.get("client_id")),
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            previous_id=_uuid(data.get("previous_id")),
            span_start=_when(data.get("span_start")),
            span_end=_when(data.get("span_end")),
        )

    @classmethod
    def of_row(cls, row: ClinicEvent) -> AppointmentEvent:
        return cls(
            kind=EventKind(row.kind), clinic_id=row.clinic_id, position=row.position,
            appointment_id=row.appointment_id, practitioner_id=row.practitioner_id, client_id=row.client_id,
            occurred_at=row.occurred_at, previous_id=row.previous_id, span_start=row.span_start, span_end=row.span_end,
        )  # fmt: skip

    @property
    def channel(self) -> str:
        return calendar_channel(self.clinic_id)


def position_of(message: str) -> int:
    """The position of a message, without decoding the rest of it."""
    return int(json.loads(message)["position"])


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _uuid(raw: str | None) -> uuid.UUID | None:
    return uuid.UUID(raw) if raw else None


def _when(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


# -- writing ---------------------------------------------------------------

_COLUMNS = ("kind", "appointment_id", "practitioner_id", "client_id", "previous_id", "span_start", "span_end")
_CASTS = ("text", "uuid", "uuid", "uuid", "uuid", "timestamptz", "timestamptz")


def _values(kind: EventKind, appointment: Appointment, previous: Appointment | None) -> tuple:
    return (
        kind.value, appointment.id, appointment.practitioner_id, appointment.client_id,
        previous.id if previous else None, appointment.occupied_start, appointment.occupied_end,
    )  # fmt: skip


async def record(
    kind: EventKind, appointment: Appointment, previous: Appointment | None = None, *, along: Sequence[Model] = ()
) -> None:
    """Writes the change's events; must run inside its write transaction.
    A move (`previous` given) is two events, old then new, so that a
    calendar hears the old time free and the new one taken. `along`: new
    rows the change also writes (its outbox messages), inserted in the same
    statement on PostgreSQL."""
    rows = [_values(kind, appointment, None)] if previous is None else [
        _values(kind, previous, None), _values(kind, appointment, previous)
    ]
    await _insert(appointment.clinic_id, rows, utcnow(), along)


async def record_span(
    kind: EventKind, clinic_id: uuid.UUID, practitioner_id: uuid.UUID, start: datetime | None, end: datetime | None
) -> None:
    """An event about a stretch of a diary with no appointment (a hold, a
    roster change; no stretch: the whole diary); must run inside the
    change's write transaction."""
    await _insert(clinic_id, [(kind.value, None, practitioner_id, None, None, start, end)], utcnow())


def _by_model(rows: Sequence[Model]) -> dict[type[Model], list[Model]]:
    grouped: dict[type[Model], list[Model]] = {}
    for row in rows:
        grouped.setdefault(type(row), []).append(row)
    return grouped


async def _insert(clinic_id: uuid.UUID, rows: Sequence[tuple], now: datetime, along: Sequence[Model] = ()) -> None:
    if is_postgres():
        # One round trip: the rows written along, the head moving and the
        # events taking the positions it gave. A data-modifying WITH part
        # runs whether or not the statement reads it.
        tuples, params = [], [clinic_id, len(rows), now]
        writes = []
        for number, group in enumerate(_by_model(along).values()):
            sql, values = insert_values(group, len(params) + 1)
            writes.append(f"w{number} AS ({sql})")
            params.extend(values)
        for number, values in enumerate(rows, start=1):
            first = len(params) + 1
            casts = ", ".join(f"${first + 1 + i}::{cast}" for i, cast in enumerate(_CASTS))
            tuples.append(f"(${first}::bigint, {casts})")
            params.extend([number, *values])
        await connection().execute_query(
            "WITH " + "".join(f"{write}, " for write in writes) + "head AS ("
            " INSERT INTO event_head (clinic_id, position) VALUES ($1, $2)"
            " ON CONFLICT (clinic_id) DO UPDATE SET position = event_head.position + EXCLUDED.position"
            " RETURNING position)"
            f" INSERT INTO clinic_event (clinic_id, position, occurred_at, published, {', '.join(_COLUMNS)})"
            f" SELECT $1, head.position - $2 + v.number, $3, FALSE, {', '.join('v.' + c for c in _COLUMNS)}"
            f" FROM head, (VALUES {', '.join(tuples)}) AS v(number, {', '.join(_COLUMNS)})",
            params,
        )
        return
    for model, group in _by_model(along).items():
        await model.bulk_create(group)
    _, found = await connection().execute_query(
        "INSERT INTO event_head (clinic_id, position) VALUES (?, ?)"
        " ON CONFLICT (clinic_id) DO UPDATE SET position = event_head.position + excluded.position"
        " RETURNING position",
        [str(clinic_id), len(rows)],
    )
    head = int(found[0][0])
    await ClinicEvent.bulk_create([
        ClinicEvent(
            clinic_id=clinic_id, position=head - len(rows) + number, occurred_at=now, published=False,
            **dict(zip(_COLUMNS, values)),
        )
        for number, values in enumerate(rows, start=1)
    ])  # fmt: skip


# -- reading ---------------------------------------------------------------


async def heads(clinic_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each clinic's last position (0 before its first event)."""
    wanted = list(clinic_ids)
    found = {row.clinic_id: row.position for row in await EventHead.filter(clinic_id__in=wanted)}
    return {clinic_id: found.get(clinic_id, 0) for clinic_id in wanted}


async def head(clinic_id: uuid.UUID) -> int:
    return (await heads([clinic_id]))[clinic_id]


async def after(clinic_id: uuid.UUID, position: int, *, through: int | None = None, limit: int = 1000) -> list[AppointmentEvent]:
    """The clinic's kept events after `position` (up to `through`), in order."""
    query = ClinicEvent.filter(clinic_id=clinic_id, position__gt=position)
    if through is not None:
        query = query.filter(position__lte=through)
    return [AppointmentEvent.of_row(row) for row in await query.order_by("position").limit(limit)]


async def oldest_kept(clinic_id: uuid.UUID) -> int | None:
    row = await ClinicEvent.filter(clinic_id=clinic_id).order_by("position").first().values("position")
    return row["position"] if row else None


class ChannelLog:
    """The event log as the hub reads it: by channel, as messages."""

    BATCH = 500

    def position(self, message: str) -> int:
        return position_of(message)

    async def heads(self, channels: list[str]) -> dict[str, int]:
        by_clinic = {clinic_of_channel(channel): channel for channel in channels}
        return {by_clinic[clinic_id]: position for clinic_id, position in (await heads(by_clinic)).items()}

    async def after(self, channel: str, position: int) -> list[str]:
        return [event.dumps() for event in await after(clinic_of_channel(channel), position, limit=self.BATCH)]
