"""Writing side effects to the outbox. Called inside the transaction of the
change that causes them, so they commit or roll back with it; nothing is
sent inside a request."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from models import OutboxMessage, OutboxStatus, utcnow
from models.db import insert


async def enqueue(
    clinic_id: uuid.UUID,
    kind: str,
    payload: dict[str, Any],
    *,
    due_at: datetime | None = None,
    appointment_id: uuid.UUID | None = None,
) -> OutboxMessage:
    """One side effect, carried out by the job handler named `kind` (see
    jobs/handlers.py) at `due_at` or as soon as possible. Payloads hold ids
    and plain values, never ORM objects. The use case wakes the job runner
    (`Runtime.wake_jobs`) once its transaction has committed."""
    row = OutboxMessage(
        clinic_id=clinic_id,
        kind=kind,
        payload=payload,
        due_at=due_at or utcnow(),
        appointment_id=appointment_id,
    )
    return await insert(row)  # with the change's events, when its side effects are being planned


async def cancel_pending(clinic_id: uuid.UUID, appointment_id: uuid.UUID, purposes: set[str], reason: str) -> int:
    """Marks the appointment's messages of these purposes that are still
    waiting CANCELLED (reminders of a cancelled appointment, a consent link
    nobody needs any more), in the caller's transaction."""
    pending = await OutboxMessage.filter(
        clinic_id=clinic_id, appointment_id=appointment_id, status=OutboxStatus.PENDING
    ).values_list("id", "payload")
    ids = [row_id for row_id, payload in pending if (payload or {}).get("purpose") in purposes]
    if not ids:
        return 0
    return await OutboxMessage.filter(id__in=ids, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.CANCELLED, last_error=reason
    )
