"""How the outbox stands, across every clinic, for `/metrics`: rows by
state, and how long the oldest due row has waited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count

from models import OutboxMessage, OutboxStatus, utcnow


@dataclass(frozen=True)
class OutboxStats:
    rows: dict[str, int]  # by state, every state named (0 when none)
    oldest_due_age_seconds: float  # 0 when nothing is due


async def outbox_stats(now: datetime | None = None) -> OutboxStats:
    now = now or utcnow()
    counted = await OutboxMessage.annotate(count=Count("id")).group_by("status").values_list("status", "count")
    rows = {state.value: 0 for state in OutboxStatus}
    for state, count in counted:
        rows[str(state)] = count
    oldest = (
        await OutboxMessage.filter(status=OutboxStatus.PENDING, due_at__lte=now)
        .order_by("due_at")
        .limit(1)
        .values_list("due_at", flat=True)
    )
    age = (now - oldest[0]).total_seconds() if oldest else 0.0
    return OutboxStats(rows=rows, oldest_due_age_seconds=max(age, 0.0))
