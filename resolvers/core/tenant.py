"""The one place that reads a clinic's rows by id, filtered by the clinic
the credential belongs to.

An object of another clinic, or of another client, is reported exactly like
one that does not exist."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable

from tortoise.queryset import QuerySet

from models.base import TenantModel, fits
from models import (
    Appointment,
    AppointmentSeries,
    Client,
    Clinic,
    ConsentForm,
    ConsentRequest,
    Credential,
    CredentialKind,
    EmailTemplate,
    GiftCard,
    LegalDocument,
    LoyaltyProgramme,
    Membership,
    OutboxMessage,
    Payment,
    Practitioner,
    SlotHold,
    StaffUser,
    Treatment,
    WaitlistEntry,
    WebhookEndpoint,
)
from resolvers.core.access import appointment_rule, reads_client_records, require_admin
from resolvers.core.clinic_cache import ClinicCache, ClinicFacts
from resolvers.core.errors import not_found
from resolvers.core.ids import parse_id
from resolvers.core.principal import Principal


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


async def find_clinic_by_slug(slug: str) -> Clinic | None:
    """Any clinic by its slug; None for an unknown one, an over-long one
    included."""
    return await Clinic.get_or_none(slug=slug) if fits(Clinic, "slug", slug) else None


async def clinic_by_slug(principal: Principal, slug: str) -> Clinic:
    """The clinic a public operation names; a signed-in caller may only name
    its own."""
    clinic = await find_clinic_by_slug(slug)
    if clinic is None or (principal.clinic_id is not None and clinic.id != principal.clinic_id):
        raise not_found("Clinic", ["clinicSlug"])
    return clinic


async def clinic_facts(cache: ClinicCache, principal: Principal, slug: str) -> ClinicFacts:
    """`clinic_by_slug` from the process's kept facts (resolvers/core/clinic_cache.py)."""
    facts = await cache.facts_by_slug(slug)
    if facts is None or (principal.clinic_id is not None and facts.clinic.id != principal.clinic_id):
        raise not_found("Clinic", ["clinicSlug"])
    return facts


def appointments(principal: Principal) -> QuerySet[Appointment]:
    """The appointments this principal may read."""
    rule = appointment_rule(principal)
    return Appointment.filter(**rule) if rule is not None else Appointment.filter(id__isnull=True)


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


async def find_series(principal: Principal, raw_id: str) -> AppointmentSeries | None:
    """A recurring series with an appointment this principal may read; None
    otherwise (another clinic's, or another client's, the same way)."""
    series_id = parse_id(raw_id)
    if series_id is None or principal.clinic_id is None:
        return None
    if not await appointments(principal).filter(series_id=series_id).exists():
        return None
    return await AppointmentSeries.get_or_none(id=series_id, clinic_id=principal.clinic_id)


def series_appointments(principal: Principal, series_id: uuid.UUID) -> QuerySet[Appointment]:
    """The occurrences of a series this principal may read, in order."""
    return appointments(principal).filter(series_id=series_id).order_by("start_at")


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


async def hold(clinic_id: uuid.UUID | None, holder: str, raw_id: str, field: list[str]) -> SlotHold:
    """A slot hold by id, only for the caller holding it. `clinic_id` is
    the credential's clinic, None for an anonymous caller (the holder then
    scopes the id). Unknown, malformed, another clinic's and another
    caller's ids all answer the same NOT_FOUND."""
    query = SlotHold.filter(holder=holder)
    if clinic_id is not None:
        query = query.filter(clinic_id=clinic_id)
    return await _one(query, raw_id, "Hold", field)


def waitlist(principal: Principal) -> QuerySet[WaitlistEntry]:
    """The waitlist entries this principal may read: a client's own, or the
    whole clinic's for those who read its client records."""
    if principal.is_client and principal.client_id is not None:
        return WaitlistEntry.filter(clinic_id=principal.clinic_id, client_id=principal.client_id)
    if principal.clinic_id is not None and reads_client_records(principal):
        return WaitlistEntry.filter(clinic_id=principal.clinic_id)
    return WaitlistEntry.filter(id__isnull=True)


async def waitlist_entry(principal: Principal, raw_id: str, field: list[str]) -> WaitlistEntry:
    return await _one(waitlist(principal), raw_id, "Waitlist entry", field)


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
    if clinic_slug is not None:
        named = await find_clinic_by_slug(clinic_slug)
        if named is None or named.id != found.clinic_id:
            return None
    return found


async def membership(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> Membership:
    return await _own(Membership, clinic_id, raw_id, "Membership", field)


async def gift_card_by_code(clinic_id: uuid.UUID, code: str, field: list[str], *, for_update: bool = False) -> GiftCard:
    code = code.strip().upper()
    found = None
    if fits(GiftCard, "code", code):  # a longer one is no card's
        query = GiftCard.filter(clinic_id=clinic_id, code=code)
        found = await (query.select_for_update() if for_update else query).first()
    if found is None:
        raise not_found("Gift card", field)
    return found


async def loyalty_programme(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> LoyaltyProgramme:
    return await _own(LoyaltyProgramme, clinic_id, raw_id, "Loyalty programme", field)


async def legal_document(clinic_id: uuid.UUID, raw_id: str, field: list[str]) -> LegalDocument:
    return await _own(LegalDocument, clinic_id, raw_id, "Document", field)


def outbox_messages(principal: Principal) -> QuerySet[OutboxMessage]:
    """The clinic's outgoing messages: its administrators only."""
    return OutboxMessage.filter(clinic_id=require_admin(principal))


async def outbox_message(principal: Principal, raw_id: str) -> OutboxMessage:
    return await _one(outbox_messages(principal), raw_id, "Message", ["id"])


# Batch reads for the request's DataLoaders (schema/loaders/): every key
# carries the clinic, and every query filters by it.

Key = tuple[uuid.UUID, uuid.UUID]  # (clinic id, object id)


def by_clinic(keys: Iterable[Key]) -> dict[uuid.UUID, list[uuid.UUID]]:
    grouped: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for clinic_id, object_id in keys:
        grouped[clinic_id].append(object_id)
    return grouped


async def clinics_by_id(ids: list[uuid.UUID]) -> list[Clinic | None]:
    found = {c.id: c for c in await Clinic.filter(id__in=ids)}
    return [found.get(i) for i in ids]


async def rows_by_key(model: type[TenantModel], keys: list[Key]) -> list[TenantModel | None]:
    """Rows of one tenant table by (clinic, id): one query per clinic."""
    found = {}
    for clinic_id, ids in by_clinic(keys).items():
        for row in await model.filter(clinic_id=clinic_id, id__in=ids):
            found[(clinic_id, row.id)] = row
    return [found.get(k) for k in keys]
