"""Booking an appointment, by any route: signed-in client, booking session,
anonymous visitor with typed-in details, staff, or partner.

The slot is checked again inside the write transaction; on PostgreSQL the
exclusion constraint has the last word, on SQLite the write lock taken at
`BEGIN IMMEDIATE` does. Either way a lost race is `SLOT_UNAVAILABLE`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TypeVar
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models import Appointment, AppointmentSource, BookingCode, Client, Clinic, SlotHold, Treatment, utcnow
from models.db import is_deadlock, write_transaction
from realtime import events
from resolvers.core import idempotency
from resolvers.core import access
from resolvers.core import ids
from resolvers.core import tenant
from resolvers.billing import loyalty_earning
from resolvers.booking import booking_client, claim_check, holds
from resolvers.booking import side_effects, verification
from resolvers.booking.availability import Shape, fits, load_spans
from resolvers.booking.free_time_cache import FreeTimeCache
from resolvers.core.contact import normalize_email, normalize_phone
from resolvers.core import clinic_cache
from resolvers.core.clinic_cache import ClinicFacts
from resolvers.core.errors import DomainError, ErrorCode, invalid, not_found
from resolvers.booking.policy import ensure_in_window, treatment_refusal
from resolvers.core.times import as_utc
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.runtime import Runtime
from telemetry import metrics

# Appointments among themselves, and appointments and holds together
# (models/migrations/0016_slot_holds.py).
OVERLAP_CONSTRAINTS = ("appointment_no_overlap", "diary_no_overlap")

Placed = TypeVar("Placed")
LOOK = object()  # `place`'s discount percent: not known, look it up

SOURCE_OF = {
    PrincipalKind.CLIENT: AppointmentSource.PORTAL,
    PrincipalKind.BOOKING: AppointmentSource.PORTAL,
    PrincipalKind.ANONYMOUS: AppointmentSource.ONLINE,
    PrincipalKind.STAFF: AppointmentSource.STAFF,
    PrincipalKind.PARTNER: AppointmentSource.PARTNER,
}


@dataclass(frozen=True)
class ClientDetails:
    full_name: str
    email: str
    phone: str
    language: str | None = None  # of the page a new client books from


@dataclass(frozen=True)
class BookingRequest:
    clinic_slug: str
    treatment_id: str
    start: datetime
    practitioner_id: str | None = None
    client: ClientDetails | None = None
    client_id: str | None = None  # staff and partners may name a client
    idempotency_key: str | None = None
    verification_code: str | None = None  # typed-in details that match a client (see verification.py)
    requested_from: str = ""  # the caller's IP address, for the limits on codes
    hold_id: str | None = None  # a time the caller holds (holdSlot): books exactly that


def shape_of(treatment: Treatment) -> Shape:
    return Shape(
        duration=timedelta(minutes=treatment.duration_minutes),
        before=timedelta(minutes=treatment.buffer_before_minutes),
        after=timedelta(minutes=treatment.buffer_after_minutes),
    )


async def bookable_treatment(facts: ClinicFacts, principal: Principal, raw_id: str, field: list[str]) -> Treatment:
    """The clinic's treatment by id, if the caller may book it (from the
    process's kept facts: no statement)."""
    treatment = facts.treatment(ids.parse_id(raw_id))
    if treatment is None or treatment.archived:
        raise not_found("Treatment", field)
    if (refusal := treatment_refusal(treatment, principal, field)) is not None:
        raise refusal
    return treatment


async def offering_practitioners(
    facts: ClinicFacts, treatment: Treatment, raw_practitioner_id: str | None, field: list[str]
) -> list[uuid.UUID]:
    """Who may take this treatment: the named practitioner, or everyone
    active who offers it (in a stable order)."""
    offered = facts.offering.get(treatment.id, ())
    if raw_practitioner_id is None:
        if not offered:
            raise DomainError(ErrorCode.TREATMENT_NOT_OFFERED, "Nobody offers this treatment at the moment.")
        return list(offered)
    named = ids.parse_id(raw_practitioner_id)
    if named in offered:
        return [named]
    practitioner = facts.practitioner(named)
    if practitioner is None or not practitioner.active:
        raise not_found("Practitioner", field)
    raise DomainError(ErrorCode.TREATMENT_NOT_OFFERED, "This practitioner does not offer this treatment.", field)


async def working_candidates(
    clinic: Clinic, principal: Principal, shape: Shape, candidates: list[uuid.UUID], start: datetime,
    facts: ClinicFacts | None = None,
) -> list[uuid.UUID]:
    """Candidates whose working hours hold the whole appointment, starting on
    the clinic's slot grid. Staff may book outside working hours. With the
    clinic's `facts`, its weekly hours are not read again."""
    if principal.is_staff:
        return candidates
    tz = ZoneInfo(clinic.timezone)
    day = start.astimezone(tz).date()
    # An appointment fits within one local day. The day's working spans come
    # from the process's free-time cache when it keeps them (no statement).
    spans = None
    if facts is not None and facts.kept_by is not None:
        spans = facts.kept_by.kept(FreeTimeCache).kept_spans(facts, candidates, day)
    if spans is None:
        spans = await load_spans(clinic.id, candidates, day, day, tz, weekly=facts.weekly if facts else None)
    step = timedelta(minutes=clinic.slot_step_minutes)
    working = [pid for pid in candidates if fits(spans[pid], [], shape, start, step)]
    if not working:
        raise DomainError(ErrorCode.SLOT_UNAVAILABLE, "That time is not available.", ["start"])
    return working


def _details(clinic: Clinic, details: ClientDetails) -> ClientDetails:
    name = details.full_name.strip()
    if not name or len(name) > 200:
        raise invalid("Enter the client's full name.", ["input", "client", "fullName"])
    return ClientDetails(
        full_name=name,
        email=normalize_email(details.email, ["input", "client", "email"]),
        phone=normalize_phone(details.phone, ["input", "client", "phone"], clinic.country),
        language=details.language,
    )


async def _matching_client(clinic: Clinic, details: ClientDetails) -> Client | None:
    """The clinic's client with this e-mail, or else with this phone (one
    statement: each is unique in the clinic)."""
    found = await Client.filter(Q(email=details.email) | Q(phone=details.phone), clinic_id=clinic.id).limit(2)
    return next((c for c in found if c.email == details.email), None) or next(iter(found), None)


# A client created this close before a booking began, with exactly the
# details it typed, is taken for the twin of a concurrent first booking by
# the same person (one client, several slots at once), not for someone else.
TWIN_WINDOW = timedelta(seconds=10)


def _twin(existing: Client, details: ClientDetails, started: datetime) -> bool:
    same = (existing.full_name, existing.email, existing.phone) == (details.full_name, details.email, details.phone)
    return same and existing.created_at >= started - TWIN_WINDOW


def _named_client(principal: Principal, request: BookingRequest) -> tuple[uuid.UUID | str, list[str]] | None:
    """The client a booking names by who is calling or by id (with the
    field an unknown id is reported at); None when details are typed in."""
    if principal.is_client:
        return principal.client_id, ["input"]
    if request.client_id is not None and principal.kind is not PrincipalKind.ANONYMOUS:
        return request.client_id, ["input", "clientId"]
    return None


async def _client_for(
    clinic: Clinic, principal: Principal, details: ClientDetails | None,
    started: datetime, existing: Client | None, proof: BookingCode | None = None,
) -> Client:
    """The client typed-in details stand for: `existing`, the clinic's
    client they matched before the transaction, or a new one."""
    if details is None:
        raise invalid("Enter the client's name, e-mail and phone.", ["input", "client"])

    async def proven(match: Client) -> Client:
        if verification.needed(clinic, principal) and not (proof is None and _twin(match, details, started)):
            if proof is None or proof.client_id != match.id:  # the client appeared since the check
                raise verification.required("These details belong to one of the clinic's clients; please try again.")
            await verification.spend(proof, started)
        return match

    if existing is not None:
        return await proven(existing)
    if principal.kind is PrincipalKind.ANONYMOUS and not clinic.accepts_new_clients:
        raise DomainError(
            ErrorCode.NEW_CLIENTS_NOT_ACCEPTED, "This clinic is not taking new clients online.", ["input", "client"]
        )
    try:
        async with in_transaction("default"):  # a savepoint: a concurrent twin may win the insert
            # A client new to the clinic booking online reads its messages in the booking page's language.
            language = details.language if principal.kind is PrincipalKind.ANONYMOUS and details.language else "en"
            created = await Client.create(
                clinic_id=clinic.id, full_name=details.full_name, email=details.email, phone=details.phone, language=language
            )
        return created
    except IntegrityError:
        twin = await _matching_client(clinic, details)
        if twin is None:
            raise
        return await proven(twin)


def is_overlap(exc: IntegrityError) -> bool:
    return any(name in str(exc) for name in OVERLAP_CONSTRAINTS)


async def claim_first_free(
    clinic: Clinic,
    candidates: list[uuid.UUID],
    occupied: tuple[datetime, datetime],
    create: Callable[[uuid.UUID], Awaitable[Placed]],
    *,
    now: datetime,
    ignore: uuid.UUID | None = None,
) -> Placed:
    """`create(practitioner_id)` for the first candidate free over
    `occupied`: appointments and live holds count, expired holds met there
    are let go first. Must run inside a write transaction."""
    occupied_start, occupied_end = occupied
    found = await claim_check.standing(clinic.id, candidates, occupied_start, occupied_end, now, ignore=ignore)
    if found.expired_holds:
        await holds.expire_met(clinic.id, candidates, occupied_start, occupied_end, now)
    free = [pid for pid in candidates if not found.busy[pid]]
    for practitioner_id in free:
        try:
            # With other candidates left, a savepoint lets a lost race try the next one.
            async with in_transaction("default") if practitioner_id != free[-1] else nullcontext():
                return await create(practitioner_id)
        except IntegrityError as exc:
            if not is_overlap(exc):
                raise
        except Exception as exc:  # a deadlock while checking the overlap: a lost race too
            if not is_deadlock(exc):
                raise
    raise DomainError(ErrorCode.SLOT_UNAVAILABLE, "That time has just been taken. Please pick another.", ["start"])


async def place(
    clinic: Clinic,
    treatment: Treatment,
    candidates: list[uuid.UUID],
    start: datetime,
    *,
    client_id: uuid.UUID,
    source: AppointmentSource,
    ignore: uuid.UUID | None = None,
    rescheduled_from: uuid.UUID | None = None,
    discount: bool = True,
    series_id: uuid.UUID | None = None,
    now: datetime | None = None,
    discount_percent: int | None | object = LOOK,
) -> Appointment:
    """Insert the appointment with the first candidate free at `start`, at
    the treatment's price less the client's loyalty discount (`discount`;
    its percent is looked up unless given). Must run inside a write transaction."""
    shape = shape_of(treatment)
    if not discount:
        price = treatment.price
    elif discount_percent is LOOK:
        price = await loyalty_earning.price_for(clinic.id, client_id, treatment.price)
    else:
        price = loyalty_earning.discounted(treatment.price, discount_percent)
    occupied_start, occupied_end = shape.occupied(start)

    async def create(practitioner_id: uuid.UUID) -> Appointment:
        return await Appointment.create(
            clinic_id=clinic.id,
            practitioner_id=practitioner_id,
            treatment_id=treatment.id,
            client_id=client_id,
            start_at=start,
            end_at=start + shape.duration,
            occupied_start=occupied_start,
            occupied_end=occupied_end,
            source=source,
            price=price,
            currency=clinic.currency,
            rescheduled_from_id=rescheduled_from,
            series_id=series_id,
        )

    return await claim_first_free(
        clinic, candidates, (occupied_start, occupied_end), create, now=now or utcnow(), ignore=ignore
    )


def _idempotency(principal: Principal, clinic: Clinic, request: BookingRequest, start: datetime,
                 details: ClientDetails | None) -> tuple[str, str, str]:
    """(caller, key, fingerprint of the request as sent)."""

    def same_id(raw: str | None) -> str:  # one UUID however it was written
        return str(ids.parse_id(raw) or raw)

    key = idempotency.check_key(request.idempotency_key)
    fingerprint = idempotency.fingerprint(
        {
            "clinic": str(clinic.id),
            "treatment": same_id(request.treatment_id),
            "start": start.isoformat(),
            "practitioner": same_id(request.practitioner_id),
            "client": details.__dict__ if details else None,
            "clientId": same_id(request.client_id),
        }
    )
    caller = idempotency.caller_of(principal, clinic.id, details.email if details else None)
    return caller, key, fingerprint


async def _held(
    clinic: Clinic, principal: Principal, request: BookingRequest, ip: str, treatment: Treatment, start: datetime,
    candidates: list[uuid.UUID], now: datetime,
) -> SlotHold | None:
    """The caller's hold named by `holdId`, checked against what is booked."""
    if request.hold_id is None:
        return None
    field = ["input", "holdId"]
    hold = await tenant.hold(clinic.id, holds.holder_of(principal, ip), request.hold_id, field)
    if (refusal := holds.spent_refusal(hold, now, field)) is not None:
        raise refusal
    if hold.treatment_id != treatment.id or hold.start_at != start or hold.practitioner_id not in candidates:
        raise invalid("This hold is for another treatment, time or practitioner.", field)
    return hold


async def book_appointment(
    rt: Runtime, principal: Principal, request: BookingRequest, *, now: datetime | None = None
) -> Appointment:
    """`request.requested_from`: the caller's address, which names an anonymous holder."""
    with clinic_cache.request_scope():  # the clinic's log checked once, called from a request or not
        return await _book(rt, principal, request, now or utcnow())


async def _book(rt: Runtime, principal: Principal, request: BookingRequest, now: datetime) -> Appointment:
    facts = await tenant.clinic_facts(rt.clinics, principal, request.clinic_slug)
    clinic = facts.clinic
    if (refusal := access.booking_refusal(clinic, principal)) is not None:
        raise refusal
    start = as_utc(request.start, ["input", "start"])
    details = None
    if request.client is not None and not principal.is_client:
        details = _details(clinic, request.client)
    caller = key = fingerprint = None
    if request.idempotency_key is not None:
        caller, key, fingerprint = _idempotency(principal, clinic, request, start, details)
    known = None
    if (named := _named_client(principal, request)) is not None:
        # The client, and the caller's earlier use of the key, in one statement.
        known = await booking_client.read(
            clinic.id, named[0], ids.parse_id(request.treatment_id), start, named[1], (caller, key) if key else None
        )
    stale_key = False
    if key is not None:
        # A retry gets the booking it made, even if the window has moved on since.
        use = known.key_use if known else await idempotency.key_use(clinic.id, caller, key)
        earlier, stale_key = await idempotency.earlier_use(clinic.id, use, fingerprint, now)
        if earlier is not None:
            return earlier

    ensure_in_window(clinic, principal, start, now)
    treatment = await bookable_treatment(facts, principal, request.treatment_id, ["input", "treatmentId"])
    candidates = await offering_practitioners(facts, treatment, request.practitioner_id, ["input", "practitionerId"])
    candidates = await working_candidates(clinic, principal, shape_of(treatment), candidates, start, facts)
    proof = existing = None
    if known is None and details is not None:
        existing = await _matching_client(clinic, details)
        if existing is not None and verification.needed(clinic, principal) and not _twin(existing, details, now):
            proof = await verification.prove(rt, clinic, existing, request.verification_code, request.requested_from, now)
    hold = await _held(clinic, principal, request, request.requested_from, treatment, start, candidates, now)
    if hold is not None:
        candidates = [hold.practitioner_id]
    try:
        async with write_transaction():
            if stale_key:
                await idempotency.clear_expired(caller, key, now)
            client = known.client if known else await _client_for(clinic, principal, details, now, existing, proof)
            # A client new to the clinic holds no membership yet.
            covered = known.covered if known else (None if client is existing else False)
            if hold is not None:  # its time is free for this booking alone
                await holds.spend(hold, now, ["input", "holdId"])
            # A stranger's typed-in details may match a client: their card's discount is not told to them.
            appointment = await place(
                clinic, treatment, candidates, start, client_id=client.id, source=SOURCE_OF[principal.kind], now=now,
                discount=principal.kind is not PrincipalKind.ANONYMOUS,
                discount_percent=known.discount_percent if known else LOOK,
            )
            if hold is not None:
                await holds.mark_used(hold, appointment.id)
            lifetime = timedelta(hours=rt.settings.idempotency_hours)
            used = [idempotency.use(clinic.id, caller, key, fingerprint, now, lifetime, appointment.id)] if key else []
            await side_effects.appointment_changed(
                rt, events.BOOKED, appointment, clinic, client=client, covered=covered, along=used
            )
    except IntegrityError as exc:
        if key is None or not idempotency.is_clash(exc):
            raise
        # Another request with this key committed first: answer what it booked.
        earlier = await idempotency.replay(clinic.id, caller, key, fingerprint, now)
        if earlier is None:  # it expired in between: rare, but never an unexpected error
            raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, "This idempotency key was just used; retry.") from None
        return earlier
    except DomainError as exc:
        # A concurrent request with this key may have taken the very time first: answer what it booked.
        if key is not None and exc.code is ErrorCode.SLOT_UNAVAILABLE:
            if (earlier := await idempotency.replay(clinic.id, caller, key, fingerprint, now)) is not None:
                return earlier
        raise
    rt.changes_committed()
    metrics.BOOKINGS.labels(appointment.source).inc()
    return appointment
