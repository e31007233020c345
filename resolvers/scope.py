"""The one place that decides what a principal may see.

Every lookup by id goes through here. An object of another clinic, or of
another client, is reported exactly like one that does not exist."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from tortoise.queryset import QuerySet

from models import (
    Appointment,
    Client,
    Clinic,
    ConsentForm,
    ConsentRequest,
    Credential,
    CredentialKind,
    EmailTemplate,
    GiftCard,
    LoyaltyProgramme,
    Membership,
    OutboxMessage,
    Payment,
    Practitioner,
    StaffUser,
    Treatment,
    WebhookEndpoint,
)
from resolvers.errors import DomainError, ErrorCode, not_found, unauthenticated
from resolvers.principal import Principal, PrincipalKind, Scope


def parse_id(raw: str | uuid.UUID | None) -> uuid.UUID | None:
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError):
        return None


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


async def find_payment(principal: Principal, raw_id: str, *, for_update: bool = False) -> Payment | None:
    """A payment of the principal's clinic, on an appointment the principal
    may see; None otherwise (another clinic's is reported the same way)."""
    payment_id = parse_id(raw_id)
    if payment_id is None or principal.clinic_id is None:
        return None
    query = Payment.filter(id=payment_id, clinic_id=principal.clinic_id)
    found = await (query.select_for_update() if for_update else query).first()
    if found is None or not await appointments(principal).filter(id=found.appointment_id).exists():
        return None
    return found


async def clinic_by_slug(principal: Principal, slug: str) -> Clinic:
    """The clinic a public operation names; a signed-in caller may only name
    its own."""
    clinic = await Clinic.get_or_none(slug=slug)
    if clinic is None or (principal.clinic_id is not None and clinic.id != principal.clinic_id):
        raise not_found("Clinic", ["clinicSlug"])
    return clinic


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


def _appointment_rule(principal: Principal) -> dict[str, object] | None:
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


def appointments(principal: Principal) -> QuerySet[Appointment]:
    """The appointments this principal may read."""
    rule = _appointment_rule(principal)
    return Appointment.filter(**rule) if rule is not None else Appointment.filter(id__isnull=True)


def view_of(principal: Principal) -> tuple[object, ...]:
    """Everything an appointment's fields may depend on besides the row
    itself (price visibility, whether it may be cancelled): principals with
    the same view may be shown the very same rendering."""
    return principal.kind, principal.clinic_id, principal.has_scope(Scope.BOOK)  # BOOK: canRepeat


def can_see(principal: Principal, appointment: Appointment) -> bool:
    """The same rule as `appointments`, for a row already loaded."""
    return seer(principal)(appointment)


def seer(principal: Principal) -> Callable[[Appointment], bool]:
    """`can_see` for one principal, its rule worked out once: a live stream
    asks it of every event."""
    rule = _appointment_rule(principal)
    if rule is None:
        return lambda appointment: False
    columns = tuple(rule.items())
    return lambda appointment: all(getattr(appointment, k) == v for k, v in columns)


async def find_appointment(principal: Principal, raw_id: str, *, for_update: bool = False) -> Appointment | None:
    appointment_id = parse_id(raw_id)
    if appointment_id is None:
        return None
    query = appointments(principal).filter(id=appointment_id)
    return await (query.select_for_update() if for_update else query).first()


async def appointment(principal: Principal, raw_id: str, *, for_update: bool = False) -> Appointment:
    found = await find_appointment(principal, raw_id, for_update=for_update)
    if found is None:
        raise not_found("Appointment", ["id"])
    return found


def treatments(clinic_id: uuid.UUID) -> QuerySet[Treatment]:
    return Treatment.filter(clinic_id=clinic_id, archived=False)


def practitioners(clinic_id: uuid.UUID) -> QuerySet[Practitioner]:
    return Practitioner.filter(clinic_id=clinic_id, active=True)


async def treatment(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> Treatment:
    return await _one(treatments(clinic_id), raw_id, "Treatment", field)


async def practitioner(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> Practitioner:
    return await _one(practitioners(clinic_id), raw_id, "Practitioner", field)


async def client(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> Client:
    return await _one(Client.filter(clinic_id=clinic_id), raw_id, "Client", field)


async def _one(query: QuerySet, raw_id: str, what: str, field: list[str]):
    """The row of `query` with this id; a malformed id, a missing row and
    another clinic's row all answer the same NOT_FOUND."""
    ident = parse_id(raw_id)
    found = await query.get_or_none(id=ident) if ident else None
    if found is None:
        raise not_found(what, field)
    return found


async def _own(model, clinic_id: uuid.UUID, raw_id: str, what: str, field: list[str], **extra):
    """A row of this clinic by id, whatever its state."""
    return await _one(model.filter(clinic_id=clinic_id, **extra), raw_id, what, field)


async def any_treatment(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> Treatment:
    """Archived ones too: for the clinic's administrators."""
    return await _own(Treatment, clinic_id, raw_id, "Treatment", field)


async def any_practitioner(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> Practitioner:
    """Inactive ones too: for the clinic's administrators."""
    return await _own(Practitioner, clinic_id, raw_id, "Practitioner", field)


async def consent_form(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> ConsentForm:
    return await _own(ConsentForm, clinic_id, raw_id, "Consent form", field)


async def staff_user(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> StaffUser:
    return await _own(StaffUser, clinic_id, raw_id, "Staff user", field)


async def api_key(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> Credential:
    return await _own(Credential, clinic_id, raw_id, "API key", field, kind=CredentialKind.API_KEY)


async def webhook_endpoint(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> WebhookEndpoint:
    return await _own(WebhookEndpoint, clinic_id, raw_id, "Webhook endpoint", field)


def require_client_records(principal: Principal, scope: Scope) -> uuid.UUID:
    """Client records (search, create, edit): the clinic's staff, or a
    partner key with `scope` (read to search, book to write)."""
    if principal.kind not in (PrincipalKind.STAFF, PrincipalKind.PARTNER):
        raise unauthenticated("Only the clinic's staff may do this.")
    return require_scope(principal, scope)


def portal_refusal(clinic: Clinic, principal: Principal) -> DomainError | None:
    """Portal callers (clients and anonymous visitors) need the portal on;
    staff and partners do not."""
    portal_caller = principal.kind in (PrincipalKind.ANONYMOUS, PrincipalKind.CLIENT, PrincipalKind.BOOKING)
    if portal_caller and not clinic.portal_enabled:
        return DomainError(ErrorCode.PORTAL_DISABLED, "This clinic's online portal is closed.")
    return None


def portal_open(clinic: Clinic, principal: Principal) -> None:
    if (refusal := portal_refusal(clinic, principal)) is not None:
        raise refusal


def booking_refusal(clinic: Clinic, principal: Principal) -> DomainError | None:
    """Who may book at this clinic: portal callers while the portal is
    open, its staff, and partner keys with the book scope."""
    if principal.kind is PrincipalKind.PARTNER and not principal.has_scope(Scope.BOOK):
        return unauthenticated(f"This credential may not do this (needs '{Scope.BOOK.value}').")
    return portal_refusal(clinic, principal)


def email_templates(clinic_id: uuid.UUID) -> QuerySet[EmailTemplate]:
    return EmailTemplate.filter(clinic_id=clinic_id)


async def email_template(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> EmailTemplate:
    return await _one(email_templates(clinic_id), raw_id, "E-mail template", field)


async def consent_request_by_token_hash(
    principal: Principal, token_hash: str, clinic_slug: str | None
) -> ConsentRequest | None:
    """The consent request a signing link names. The token is the credential;
    a signed-in caller, or a page that names its clinic, only finds its own
    clinic's requests: another clinic's link answers as an unknown one."""
    found = await ConsentRequest.get_or_none(token_hash=token_hash)
    if found is None:
        return None
    if principal.clinic_id is not None and found.clinic_id != principal.clinic_id:
        return None
    if clinic_slug is not None and not await Clinic.exists(id=found.clinic_id, slug=clinic_slug):
        return None
    return found


# Balances: memberships, gift cards, loyalty cards and the account ledger.


def balances_of(principal: Principal, client: Client) -> dict[str, uuid.UUID]:
    """Whose balances a principal may read, as column values: a client their
    own, the clinic's admins any of its clients'. Anyone else is told the
    client does not exist."""
    own = principal.kind is PrincipalKind.CLIENT and principal.client_id == client.id
    admin = principal.clinic_id == client.clinic_id and is_admin(principal)
    if principal.clinic_id != client.clinic_id or not (own or admin):
        raise not_found("Client")
    return {"clinic_id": client.clinic_id, "client_id": client.id}


async def membership(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> Membership:
    return await _own(Membership, clinic_id, raw_id, "Membership", field)


async def gift_card_by_code(clinic_id: uuid.UUID, code: str, field: list[str], *, for_update: bool = False) -> GiftCard:
    query = GiftCard.filter(clinic_id=clinic_id, code=code.strip().upper())
    found = await (query.select_for_update() if for_update else query).first()
    if found is None:
        raise not_found("Gift card", field)
    return found


async def loyalty_programme(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> LoyaltyProgramme:
    return await _own(LoyaltyProgramme, clinic_id, raw_id, "Loyalty programme", field)


def outbox_messages(principal: Principal) -> QuerySet[OutboxMessage]:
    """The clinic's outgoing messages: its administrators only."""
    return OutboxMessage.filter(clinic_id=require_admin(principal))


async def outbox_message(principal: Principal, raw_id: str) -> OutboxMessage:
    return await _one(outbox_messages(principal), raw_id, "Message", ["id"])
