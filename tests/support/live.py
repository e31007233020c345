"""Live events as the use cases make them: written to the clinic's log in
a transaction, then relayed after the commit."""

from __future__ import annotations

from models import Appointment
from models.db import write_transaction
from realtime import events


async def logged(runtime, kind: events.EventKind, row: Appointment, previous: Appointment | None = None) -> None:
    async with write_transaction():
        await events.record(kind, row, previous)
    runtime.changes_committed()


def local_subscribers(hub) -> list:
    return [s for state in hub._channels.values() for s in state.subscribers]
