"""`claimWaitlistOffer(token)`: the claim link of a waitlist offer books the
offered time for the client it was sent to, through the booking path (all
its rules apply).

The link is spent with one conditional UPDATE, so of any number of
concurrent claims of one link exactly one books; later ones get
TOKEN_ALREADY_USED, late ones TOKEN_EXPIRED, unknown ones TOKEN_INVALID.
When the time has been taken meanwhile (another client's claim of the same
time, with the clinic's offer mode ALL) the answer is SLOT_UNAVAILABLE and
the client stays on the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models import (
    Appointment, Clinic, OfferStatus, Treatment, WaitlistEntry, WaitlistOffer, WaitlistStatus, utcnow,
)  # fmt: skip
from models.db import write_transaction
from resolvers.account import credentials
from resolvers.booking import waitlist_offers
from resolvers.booking.book import BookingRequest, book_appointment
from resolvers.core import tenant
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.ratelimit import network
from resolvers.core.runtime import Runtime

GONE_CODES = {ErrorCode.SLOT_UNAVAILABLE, ErrorCode.HOLD_EXPIRED, ErrorCode.HOLD_RELEASED, ErrorCode.HOLD_ALREADY_USED,
              ErrorCode.OUTSIDE_BOOKING_WINDOW, ErrorCode.TREATMENT_NOT_OFFERED}  # fmt: skip


@dataclass(frozen=True)
class Claimed:
    appointment: Appointment
    entry: WaitlistEntry


async def _spend(token_hash: str, clinic_slug: str | None, now: datetime) -> WaitlistOffer:
    """Another clinic's link (when the page names its clinic) answers as an
    unknown one, and is not spent."""
    offer = await WaitlistOffer.get_or_none(token_hash=token_hash)
    if offer is not None and clinic_slug is not None:
        clinic = await tenant.find_clinic_by_slug(clinic_slug)
        offer = offer if clinic is not None and clinic.id == offer.clinic_id else None
    if offer is None:
        raise DomainError(ErrorCode.TOKEN_INVALID, "This offer link is not valid.", ["token"])
    async with write_transaction():
        spent = await WaitlistOffer.filter(id=offer.id, status=OfferStatus.OPEN, expires_at__gt=now).update(
            status=OfferStatus.CLAIMED, claimed_at=now
        )
    offer = await WaitlistOffer.get(id=offer.id)
    if not spent:
        if offer.claimed_at is not None:
            raise DomainError(ErrorCode.TOKEN_ALREADY_USED, "This offer link has already been used.", ["token"])
        raise DomainError(ErrorCode.TOKEN_EXPIRED, "This offer has run out.", ["token"])
    return offer


async def claim_waitlist_offer(
    rt: Runtime, token: str, ip: str, clinic_slug: str | None = None, *, now: datetime | None = None
) -> Claimed:
    now = now or utcnow()
    await rt.check_rate(f"waitlist-claim:ip:{network(ip)}", rt.settings.signin_per_ip, "Too many attempts.")
    offer = await _spend(credentials.hash_token(token or ""), clinic_slug, now)
    entry = await WaitlistEntry.get(id=offer.entry_id, clinic_id=offer.clinic_id)
    if entry.status is not WaitlistStatus.WAITING:
        await waitlist_offers.give_up_offer(rt, offer, now=now)
        raise DomainError(ErrorCode.TOKEN_INVALID, "This waitlist entry is no longer waiting.", ["token"])
    clinic = await Clinic.get(id=offer.clinic_id)
    treatment = await Treatment.get(id=entry.treatment_id, clinic_id=clinic.id)
    principal = Principal(kind=PrincipalKind.BOOKING, clinic_id=clinic.id, client_id=entry.client_id)
    request = BookingRequest(
        clinic_slug=clinic.slug, treatment_id=str(treatment.id), start=offer.start_at,
        practitioner_id=str(offer.practitioner_id), hold_id=str(offer.hold_id) if offer.hold_id else None,
    )  # fmt: skip
    try:
        appointment = await book_appointment(rt, principal, request, now=now)
    except DomainError as exc:
        await waitlist_offers.give_up_offer(rt, offer, now=now)  # its held time goes to the next in line
        if exc.code in GONE_CODES:
            raise DomainError(
                ErrorCode.SLOT_UNAVAILABLE, "Sorry, this time has gone. You stay on the waitlist.", ["token"]
            ) from None
        raise
    # A client who left the list meanwhile stays off it; the booking stands either way.
    await WaitlistEntry.filter(id=entry.id, status=WaitlistStatus.WAITING).update(
        status=WaitlistStatus.BOOKED, appointment_id=appointment.id
    )
    entry = await WaitlistEntry.get(id=entry.id, clinic_id=entry.clinic_id)
    return Claimed(appointment=appointment, entry=entry)
