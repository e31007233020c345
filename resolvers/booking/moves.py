"""Where a moved appointment went.

Moving an appointment (changes.reschedule_appointment) books a new row,
linked to the old one by `rescheduled_from`, and cancels the old one, which
stays as the history that reports, webhooks, consent requests, payments and
live events already name. The old id is therefore never changed again:
cancelling, moving or repeating it answers APPOINTMENT_RESCHEDULED with the
id the appointment has now."""

from __future__ import annotations

import uuid

from models import Appointment, AppointmentStatus
from resolvers.core import tenant
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import Principal


async def moved_to(principal: Principal, appointment: Appointment) -> Appointment | None:
    """The appointment that stands for this one now, after every later move;
    None when it was not moved. Each move is a new row naming an older one,
    so the chain has an end."""
    if appointment.status is not AppointmentStatus.CANCELLED:
        return None
    current = None
    while (successor := await _successor(principal, current or appointment)) is not None:
        current = successor
    return current


async def _successor(principal: Principal, appointment: Appointment) -> Appointment | None:
    return await tenant.appointments(principal).filter(rescheduled_from_id=appointment.id).first()


async def ensure_not_moved(principal: Principal, appointment: Appointment) -> None:
    current = await moved_to(principal, appointment)
    if current is not None:
        raise DomainError(
            ErrorCode.APPOINTMENT_RESCHEDULED,
            f"This appointment was moved; it is now appointment {current.id}.",
            ["id"],
            rescheduled_to_id=str(current.id),
        )


async def successors(keys: list[tenant.Key]) -> list[uuid.UUID | None]:
    """For the request's loader: by (clinic, appointment), the id of the
    appointment it was moved to, if it was."""
    found: dict[tenant.Key, uuid.UUID] = {}
    for clinic_id, ids in tenant.by_clinic(keys).items():
        rows = await Appointment.filter(clinic_id=clinic_id, rescheduled_from_id__in=ids).values_list(
            "rescheduled_from_id", "id"
        )
        for old_id, new_id in rows:
            found[(clinic_id, old_id)] = new_id
    return [found.get(key) for key in keys]
