"""Loyalty cards earn on completed visits: a status change (completed,
undone) settles what the appointment has earned on the client's cards.

A planner in `side_effects.PLANNERS`: it runs inside the change's write
transaction, so the ledger rows commit or roll back with the change."""

from __future__ import annotations

from models import Appointment, Clinic
from realtime.events import EventKind
from resolvers.billing import loyalty_earning
from resolvers.notifications.change_rows import ChangeRows
from resolvers.core.runtime import Runtime


async def plan_loyalty_credit(
    rt: Runtime, kind: EventKind, appointment: Appointment, clinic: Clinic, previous: Appointment | None, rows: ChangeRows
) -> None:
    if kind is EventKind.UPDATED:
        await loyalty_earning.settle(appointment)
