"""The practitioner calendar: appointments in a time range, for staff and
partner keys with the calendar scope."""

from __future__ import annotations

from datetime import datetime, timedelta

from models import Appointment
from resolvers.core import access
from resolvers.core import ids
from resolvers.core import tenant
from resolvers.core.times import as_utc
from resolvers.core.errors import invalid
from resolvers.core.principal import Principal, Scope

MAX_RANGE = timedelta(days=62)


async def calendar(
    principal: Principal, start: datetime, end: datetime, practitioner_ids: list[str] | None = None
) -> list[Appointment]:
    access.require_scope(principal, Scope.CALENDAR)
    start = as_utc(start, ["from"], whole_minutes=False)
    end = as_utc(end, ["to"], whole_minutes=False)
    if end <= start or end - start > MAX_RANGE:
        raise invalid("`to` must be after `from`, at most 62 days later.", ["to"])
    query = tenant.appointments(principal).filter(start_at__lt=end, end_at__gt=start)
    if practitioner_ids is not None:
        query = query.filter(practitioner_id__in=[pid for pid in map(ids.parse_id, practitioner_ids) if pid])
    return await query.order_by("start_at")
