"""Cancelling or moving an occurrence of a recurring series together with
the later ones ("this and following"). changes.py does the cancelling and
moving; this says which appointments a scope takes in and names an
occurrence in an error."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from models import Appointment, AppointmentStatus, Clinic
from resolvers.core import tenant
from resolvers.core.errors import DomainError
from resolvers.core.principal import Principal


class ChangeScope(StrEnum):
    THIS = "THIS"
    THIS_AND_FOLLOWING = "THIS_AND_FOLLOWING"  # the later booked occurrences of its series too


async def in_scope(principal: Principal, appointment: Appointment, scope: ChangeScope) -> list[Appointment]:
    """`appointment` (already locked) and, with THIS_AND_FOLLOWING, the later
    booked occurrences of its series that the principal may see, locked, in
    order. An appointment outside any series is a scope of one."""
    if scope is ChangeScope.THIS or appointment.series_id is None:
        return [appointment]
    later = tenant.series_appointments(principal, appointment.series_id).filter(
        status=AppointmentStatus.BOOKED, start_at__gt=appointment.start_at
    )
    return [appointment, *await later.select_for_update()]


def naming(error: DomainError, appointment: Appointment, clinic: Clinic) -> DomainError:
    """The same error, saying which occurrence it is about."""
    local = appointment.start_at.astimezone(ZoneInfo(clinic.timezone))
    return DomainError(error.code, f"The appointment of {_when(local)}: {error.message}", error.field)


def _when(local: datetime) -> str:
    return f"{local:%a %d %b %Y %H:%M}"
