"""Writing side effects to the outbox. Called inside the transaction of the
change that causes them, so they commit or roll back with it; nothing is
sent inside a request."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from jobs import runner
from models import OutboxMessage, utcnow


async def enqueue(
    clinic_id: uuid.UUID,
    kind: str,
    payload: dict[str, Any],
    *,
    due_at: datetime | None = None,
    appointment_id: uuid.UUID | None = None,
) -> OutboxMessage:
    """One side effect, carried out by the job handler named `kind` (see
    jobs/registry.py) at `due_at` or as soon as possible. Payloads hold ids
    and plain values, never ORM objects."""
    row = await OutboxMessage.create(
        clinic_id=clinic_id,
        kind=kind,
        payload=payload,
        due_at=due_at or utcnow(),
        appointment_id=appointment_id,
    )
    if due_at is None:
        runner.wake_soon()
    return row
