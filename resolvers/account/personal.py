"""The signed-in client's own account: who they are and their appointments,
newest past first, in keyset-paginated pages."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.expressions import Q

from models import Appointment, AppointmentStatus, Client, utcnow
from settings import Settings
from resolvers.core import access
from resolvers.core import ids
from resolvers.core import tenant
from resolvers.core.contact import language_code
from resolvers.core.errors import DomainError, invalid
from resolvers.core.times import as_utc
from resolvers.core.principal import Principal, PrincipalKind

MAX_PAGE = 100


class When(StrEnum):
    UPCOMING = "UPCOMING"
    PAST = "PAST"


@dataclass(frozen=True)
class Page:
    items: list[Appointment]
    has_next: bool
    has_previous: bool


def cursor_of(appointment: Appointment) -> str:
    raw = f"{appointment.start_at.isoformat()}|{appointment.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        start, _, ident = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return as_utc(datetime.fromisoformat(start), ["after"], whole_minutes=False), uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError, DomainError):
        raise invalid("This cursor is not valid.", ["after"]) from None


async def me(principal: Principal) -> Client | None:
    if principal.kind is not PrincipalKind.CLIENT:
        return None
    return await Client.get_or_none(id=principal.client_id, clinic_id=principal.clinic_id)


async def client_account(principal: Principal, raw_id: str) -> Client | None:
    """A client's account as the clinic's admins see it (balances, history);
    None for anyone else, as for an unknown id."""
    client_id = ids.parse_id(raw_id)
    client = await Client.get_or_none(id=client_id, clinic_id=principal.clinic_id) if client_id and principal.clinic_id else None
    if client is None:
        return None
    try:
        access.balances_of(principal, client)
    except DomainError:
        return None
    return client


async def my_appointments(
    principal: Principal,
    when: When,
    first: int | None,
    after: str | None,
    include_cancelled: bool = False,
    *,
    client_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Page:
    """The appointments of the principal's own client, or of `client_id`
    among those the principal may read (a clinic's admins reading an account)."""
    now = now or utcnow()
    first = 20 if first is None else first
    if not 0 <= first <= MAX_PAGE:
        raise invalid(f"`first` is between 0 and {MAX_PAGE}.", ["first"])
    query = tenant.appointments(principal)
    if client_id is not None:
        query = query.filter(client_id=client_id)
    if not include_cancelled:
        query = query.exclude(status=AppointmentStatus.CANCELLED)
    upcoming = when is When.UPCOMING
    query = query.filter(start_at__gte=now) if upcoming else query.filter(start_at__lt=now)
    if after:
        start, ident = _decode(after)
        if upcoming:
            query = query.filter(Q(start_at__gt=start) | Q(start_at=start, id__gt=ident))
        else:
            query = query.filter(Q(start_at__lt=start) | Q(start_at=start, id__lt=ident))
    order = ("start_at", "id") if upcoming else ("-start_at", "-id")
    rows = await query.order_by(*order).limit(first + 1)
    return Page(items=rows[:first], has_next=len(rows) > first, has_previous=bool(after))


async def set_language(settings: Settings, principal: Principal, language: str) -> Client:
    """The language of the client's messages, one the clinic's messages
    are written in (SUPPORTED_LANGUAGES)."""
    client_id = access.require_client(principal)
    code = language_code(language, ["language"], settings.supported_languages)
    await Client.filter(id=client_id, clinic_id=principal.clinic_id).update(language=code)
    return await Client.get(id=client_id, clinic_id=principal.clinic_id)
