"""Who may do what: the checks on a principal (and on a row already loaded)
that every use case asks before it acts. Reading rows by id is
`resolvers.core.tenant`'s job; the rule of which appointments a principal
may read lives here, and both use it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum

from models import Appointment, Client, Clinic
from resolvers.core.errors import DomainError, ErrorCode, not_found, unauthenticated
from resolvers.core.principal import Principal, PrincipalKind, Scope


def require_signed_in(principal: Principal) -> uuid.UUID:
    if principal.clinic_id is None:
        raise unauthenticated()
    return principal.clinic_id


def require_client(principal: Principal) -> uuid.UUID:
    """The client a signed-in portal session acts for (a booking session may
    only book)."""
    if principal.kind is not PrincipalKind.CLIENT or principal.client_id is None:
        raise unauthenticated("Sign in as a client to do this.")
    return principal.client_id


def require_waitlister(principal: Principal) -> uuid.UUID:
    """The client who joins, reads or leaves their waitlist entries: a portal
    session, or the booking session of the booking page (a visitor becomes
    one by signing in, by phone code too)."""
    if not principal.is_client or principal.client_id is None:
        raise unauthenticated("Sign in to join the waitlist.")
    return principal.client_id


def require_scope(principal: Principal, scope: Scope) -> uuid.UUID:
    """Staff of the clinic, or a partner key holding `scope`."""
    clinic_id = require_signed_in(principal)
    if not principal.has_scope(scope):
        raise unauthenticated(f"This credential may not do this (needs '{scope.value}').")
    return clinic_id


def is_admin(principal: Principal) -> bool:
    """Admin staff, or a partner key with the admin scope."""
    return (principal.kind is PrincipalKind.STAFF and principal.staff_is_admin) or (
        principal.kind is PrincipalKind.PARTNER and principal.has_scope(Scope.ADMIN)
    )


def require_appointment_change(principal: Principal) -> None:
    """Changing an appointment the principal can see (cancel, move, a new
    consent link): partner keys need the book scope."""
    if principal.kind is PrincipalKind.PARTNER:
        require_scope(principal, Scope.BOOK)


def require_admin(principal: Principal) -> uuid.UUID:
    """Admin staff of the clinic, or a partner key with the admin scope:
    the clinic's settings, catalogue, staff and keys."""
    clinic_id = require_signed_in(principal)
    if not is_admin(principal):
        raise unauthenticated("Only the clinic's administrators may do this.")
    return clinic_id


def require_reports(principal: Principal) -> uuid.UUID:
    """The reports (revenue, payments, staff performance...) are the
    owner's numbers: admin staff, or a partner key with the admin scope. A
    practitioner-role user may not read them."""
    return require_admin(principal)


def require_payment_desk(principal: Principal) -> uuid.UUID:
    """Recording a payment: any staff user, on an appointment they may see
    (a practitioner who sees only their own diary takes payments there), or
    a partner key with the admin scope (a till or payment terminal)."""
    clinic_id = require_signed_in(principal)
    if principal.kind is PrincipalKind.STAFF or (
        principal.kind is PrincipalKind.PARTNER and principal.has_scope(Scope.ADMIN)
    ):
        return clinic_id
    raise unauthenticated("Only the clinic's staff may record payments.")


def require_refunds(principal: Principal) -> uuid.UUID:
    """Giving money back: admin staff, or a partner key with the admin scope."""
    return require_admin(principal)


def payments_visible(principal: Principal, appointment: Appointment) -> bool:
    """Who sees an appointment's payments: whoever may see the appointment
    (staff, partner keys that read the diary, and the client it is for: a
    receipt of what they paid)."""
    return can_see(principal, appointment)


def is_insider(principal: Principal, clinic_id: uuid.UUID) -> bool:
    """Staff of the clinic, or one of its partner keys: they see what the
    public face hides (prices, treatments not bookable online)."""
    return principal.clinic_id == clinic_id and principal.kind in (PrincipalKind.STAFF, PrincipalKind.PARTNER)


def require_insider(principal: Principal, clinic_id: uuid.UUID) -> None:
    """For what only the clinic's staff and partner keys may see of it
    (a practitioner's contact address and diary)."""
    if not is_insider(principal, clinic_id):
        raise unauthenticated("Only the clinic's staff and partners may see this.")


def insider_clinic_id(principal: Principal) -> uuid.UUID | None:
    """The clinic a staff session or partner key works for; None for
    anyone else (clients name their clinic by slug)."""
    if principal.kind in (PrincipalKind.STAFF, PrincipalKind.PARTNER):
        return principal.clinic_id
    return None


def appointment_rule(principal: Principal) -> dict[str, object] | None:
    """Which appointments a principal may read, as column values; None for
    none. Both the query and the in-memory check below use it."""
    if principal.clinic_id is None or principal.kind is PrincipalKind.BOOKING:
        return None
    if principal.kind is PrincipalKind.CLIENT:
        return {"clinic_id": principal.clinic_id, "client_id": principal.client_id}
    if principal.kind is PrincipalKind.PARTNER and not (
        principal.has_scope(Scope.READ) or principal.has_scope(Scope.CALENDAR)
    ):
        return None
    if principal.own_diary_only:
        return {"clinic_id": principal.clinic_id, "practitioner_id": principal.practitioner_id}
    return {"clinic_id": principal.clinic_id}


def reads_client_records(principal: Principal) -> bool:
    """The clinic's staff, and its partner keys with the read scope: who may
    read client records (search them, or see whom an appointment is for)."""
    return principal.kind in (PrincipalKind.STAFF, PrincipalKind.PARTNER) and principal.has_scope(Scope.READ)


def client_details_visible(principal: Principal, appointment: Appointment) -> bool:
    """Whom an appointment is for (name, phone, e-mail): shown to those who
    read the clinic's client records, never to clients (not another's, and,
    to keep the rule one rule, not their own either: they have `me`)."""
    return principal.clinic_id == appointment.clinic_id and reads_client_records(principal)


def view_of(principal: Principal) -> tuple[object, ...]:
    """Everything an appointment's fields may depend on besides the row
    itself (price visibility, whether it may be cancelled, whether the
    client's details show, which of a series' appointments are seen):
    principals with the same view may be shown the very same rendering."""
    return (
        principal.kind,
        principal.clinic_id,
        principal.has_scope(Scope.BOOK),  # canRepeat
        reads_client_records(principal),  # client
        principal.client_id,  # a client's own: `series { appointments }` lists theirs
        principal.practitioner_id if principal.own_diary_only else None,  # a diary of one: the same
    )


def can_see(principal: Principal, appointment: Appointment) -> bool:
    """The same rule as `appointments`, for a row already loaded."""
    return seer(principal)(appointment)


def seer(principal: Principal) -> Callable[[Appointment], bool]:
    """`can_see` for one principal, its rule worked out once: a live stream
    asks it of every event."""
    rule = appointment_rule(principal)
    if rule is None:
        return lambda appointment: False
    columns = tuple(rule.items())
    return lambda appointment: all(getattr(appointment, k) == v for k, v in columns)


def require_client_records(principal: Principal, scope: Scope) -> uuid.UUID:
    """Client records (search, create, edit): the clinic's staff, or a
    partner key with `scope` (read to search, book to write)."""
    if principal.kind not in (PrincipalKind.STAFF, PrincipalKind.PARTNER):
        raise unauthenticated("Only the clinic's staff may do this.")
    return require_scope(principal, scope)


def is_portal_caller(principal: Principal) -> bool:
    """Clients and anonymous visitors: those the portal's switches bind."""
    return principal.kind in (PrincipalKind.ANONYMOUS, PrincipalKind.CLIENT, PrincipalKind.BOOKING)


def portal_refusal(clinic: Clinic, principal: Principal) -> DomainError | None:
    """Portal callers (clients and anonymous visitors) need the portal on;
    staff and partners do not."""
    if is_portal_caller(principal) and not clinic.portal_enabled:
        return DomainError(ErrorCode.PORTAL_DISABLED, "This clinic's online portal is closed.")
    return None


class PortalAction(StrEnum):
    """What a clinic may switch off for its clients in the portal (seeing
    their appointments always stays)."""

    BOOK = "clients_can_book"
    CANCEL = "clients_can_cancel"
    RESCHEDULE = "clients_can_reschedule"


PORTAL_ACTION_REFUSED = {
    PortalAction.BOOK: "This clinic does not take bookings in its online portal; please call the clinic.",
    PortalAction.CANCEL: "This clinic does not take cancellations in its online portal; please call the clinic.",
    PortalAction.RESCHEDULE: "This clinic does not take changes of time in its online portal; please call the clinic.",
}


def portal_action_refusal(clinic: Clinic, principal: Principal, action: PortalAction) -> DomainError | None:
    """The portal closed, or this action switched off for portal callers;
    staff and partner keys are never bound by the switches."""
    if (closed := portal_refusal(clinic, principal)) is not None:
        return closed
    if is_portal_caller(principal) and not getattr(clinic, action.value):
        return DomainError(ErrorCode.PORTAL_ACCESS_DISABLED, PORTAL_ACTION_REFUSED[action])
    return None


def portal_open(clinic: Clinic, principal: Principal) -> None:
    if (refusal := portal_refusal(clinic, principal)) is not None:
        raise refusal


def booking_refusal(clinic: Clinic, principal: Principal) -> DomainError | None:
    """Who may book at this clinic: portal callers while the portal is
    open and takes bookings, its staff, and partner keys with the book scope."""
    if principal.kind is PrincipalKind.PARTNER and not principal.has_scope(Scope.BOOK):
        return unauthenticated(f"This credential may not do this (needs '{Scope.BOOK.value}').")
    return portal_action_refusal(clinic, principal, PortalAction.BOOK)


def require_series_booking(principal: Principal) -> uuid.UUID:
    """Booking a recurring series: the clinic's staff, or a partner key with
    the book scope. Clients (and the booking page) book one appointment at a
    time: a series ties up a practitioner for months, which is the clinic's
    call."""
    if principal.kind is PrincipalKind.STAFF:
        return require_signed_in(principal)
    if principal.kind is PrincipalKind.PARTNER:
        return require_scope(principal, Scope.BOOK)
    raise unauthenticated("Only the clinic's staff may book a series.")


def balances_of(principal: Principal, client: Client) -> dict[str, uuid.UUID]:
    """Whose balances a principal may read, as column values: a client their
    own, the clinic's admins any of its clients'. Anyone else is told the
    client does not exist."""
    own = principal.kind is PrincipalKind.CLIENT and principal.client_id == client.id
    admin = principal.clinic_id == client.clinic_id and is_admin(principal)
    if principal.clinic_id != client.clinic_id or not (own or admin):
        raise not_found("Client")
    return {"clinic_id": client.clinic_id, "client_id": client.id}
