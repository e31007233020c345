"""Staff record how a booked appointment went: completed, or a no-show,
and take a mark made by mistake back."""

from __future__ import annotations

from datetime import datetime

from models import Appointment, AppointmentStatus, Clinic, utcnow
from models.db import write_transaction
from realtime import events
from resolvers.core import access
from resolvers.core import tenant
from resolvers.booking import side_effects
from resolvers.core.errors import DomainError, ErrorCode, invalid
from resolvers.core.principal import Principal, Scope
from resolvers.core.runtime import Runtime

OUTCOMES = (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW)


async def mark_appointment(
    rt: Runtime,
    principal: Principal, raw_id: str, status: AppointmentStatus, *, now: datetime | None = None
) -> Appointment:
    """Only a BOOKED appointment that has started may be marked; a
    practitioner-role user only in the diaries they may see."""
    now = now or utcnow()
    access.require_client_records(principal, Scope.BOOK)
    if status not in OUTCOMES:
        raise invalid("Mark an appointment COMPLETED or NO_SHOW.", ["status"])
    async with write_transaction():
        appointment = await tenant.appointment(principal, raw_id, for_update=True)
        if appointment.status is not AppointmentStatus.BOOKED:
            raise DomainError(
                ErrorCode.APPOINTMENT_LOCKED, f"This appointment is already {appointment.status.value}.", ["id"]
            )
        if appointment.start_at > now:
            raise invalid("An appointment that has not started yet cannot be marked.", ["id"])
        await Appointment.filter(id=appointment.id, status=AppointmentStatus.BOOKED).update(status=status)
        appointment.status = status
        clinic = await Clinic.get(id=appointment.clinic_id)
        await side_effects.appointment_changed(rt, events.UPDATED, appointment, clinic)
    rt.changes_committed()
    return appointment


async def undo_outcome(rt: Runtime, principal: Principal, raw_id: str) -> Appointment:
    """A COMPLETED or NO_SHOW mark made by mistake: the appointment is
    BOOKED again, and whatever the visit earned is taken back."""
    access.require_client_records(principal, Scope.BOOK)
    async with write_transaction():
        appointment = await tenant.appointment(principal, raw_id, for_update=True)
        if appointment.status not in OUTCOMES:
            raise DomainError(
                ErrorCode.APPOINTMENT_LOCKED, f"This appointment is {appointment.status.value}: there is no outcome to undo.", ["id"]
            )
        await Appointment.filter(id=appointment.id, status=appointment.status).update(status=AppointmentStatus.BOOKED)
        appointment.status = AppointmentStatus.BOOKED
        clinic = await Clinic.get(id=appointment.clinic_id)
        await side_effects.appointment_changed(rt, events.UPDATED, appointment, clinic)
    rt.changes_committed()
    return appointment
