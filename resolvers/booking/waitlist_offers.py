"""Offering freed times to the waitlist.

A planner of appointment changes (resolvers/booking/side_effects.py): when
a cancellation or a move frees a time (and when a hold is released or extra
hours are added to a roster), inside that same transaction the waiting
clients it suits are offered it, in the order they joined, by SMS
(when the clinic has SMS and the client a phone) or else by e-mail, through
the outbox. Each offer carries a single-use claim link (random, SHA-256 at
rest, valid `waitlist_offer_minutes`). With the clinic's offer mode HOLD the
first in line is offered the time and it is held for them while the offer
lasts; with ALL everyone it suits is told at once and the first to claim
books it (resolvers/booking/waitlist_claim.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    Appointment, Client, Clinic, HoldStatus, OfferMode, OfferStatus, PractitionerTreatment, Practitioner, SlotHold, Treatment,
    WaitlistEntry, WaitlistOffer, WaitlistStatus, utcnow,
)  # fmt: skip
from realtime.events import EventKind
from resolvers.account import credentials
from resolvers.booking import holds
from models.db import write_transaction
from resolvers.booking.availability import Shape, fits, load_busy, load_spans, wall_to_utc
from resolvers.booking.holds import HoldChange
from resolvers.booking.policy import booking_window
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.runtime import Runtime
from resolvers.core import i18n
from resolvers.core.i18n import N_
from resolvers.notifications import sms_texts
from resolvers.notifications.change_rows import ChangeRows
from resolvers.notifications.outbox import enqueue

EMAIL_SUBJECT = N_("{clinic}: a time has come free")


def _shape(treatment: Treatment) -> Shape:
    return Shape(
        duration=timedelta(minutes=treatment.duration_minutes),
        before=timedelta(minutes=treatment.buffer_before_minutes),
        after=timedelta(minutes=treatment.buffer_after_minutes),
    )


async def _suits(clinic: Clinic, entry: WaitlistEntry, treatment: Treatment, practitioner_id: uuid.UUID,
                 start: datetime, now: datetime) -> bool:
    """Whether this entry's treatment can be booked at `start` with this
    practitioner, by the portal's rules, right now."""
    tz = ZoneInfo(clinic.timezone)
    local = start.astimezone(tz)
    minute = local.hour * 60 + local.minute
    if not (entry.date_from <= local.date() <= entry.date_to and entry.earliest_minute <= minute <= entry.latest_minute):
        return False
    earliest, latest = booking_window(clinic, now)
    if not earliest <= start <= latest:
        return False
    if not await PractitionerTreatment.exists(clinic_id=clinic.id, treatment_id=treatment.id,
                                              practitioner_id=practitioner_id, practitioner__active=True):  # fmt: skip
        return False
    shape = _shape(treatment)
    spans = await load_spans(clinic.id, [practitioner_id], local.date(), local.date(), tz)
    occupied = shape.occupied(start)
    busy = await load_busy(clinic.id, [practitioner_id], occupied[0], occupied[1], now=now)
    return fits(spans[practitioner_id], busy[practitioner_id], shape, start, timedelta(minutes=clinic.slot_step_minutes))


async def offer_time(rt: Runtime, clinic: Clinic, practitioner_id: uuid.UUID, start: datetime,
                     *, now: datetime | None = None) -> list[WaitlistOffer]:
    """Offer a time that has just come free to the waiting clients it suits.
    Runs inside the write transaction that freed it."""
    now = now or utcnow()
    local_day = start.astimezone(ZoneInfo(clinic.timezone)).date()
    waiting = await WaitlistEntry.filter(
        clinic_id=clinic.id, status=WaitlistStatus.WAITING, date_from__lte=local_day, date_to__gte=local_day,
    ).order_by("created_at")  # fmt: skip
    busy_with = set(await WaitlistOffer.filter(clinic_id=clinic.id, status=OfferStatus.OPEN, expires_at__gt=now)
                    .values_list("entry_id", flat=True))  # fmt: skip
    had_it = set(await WaitlistOffer.filter(clinic_id=clinic.id, practitioner_id=practitioner_id, start_at=start)
                 .values_list("entry_id", flat=True))  # fmt: skip
    # One open offer an entry at a time, and never the same time twice.
    waiting = [e for e in waiting if e.practitioner_id in (None, practitioner_id) and e.id not in busy_with | had_it]
    treatments: dict[uuid.UUID, Treatment] = {}
    offers = []
    for entry in waiting:
        if entry.treatment_id not in treatments:
            treatments[entry.treatment_id] = await Treatment.get(id=entry.treatment_id, clinic_id=clinic.id)
        treatment = treatments[entry.treatment_id]
        if treatment.archived or not await _suits(clinic, entry, treatment, practitioner_id, start, now):
            continue
        offer = await _offer(rt, clinic, entry, treatment, practitioner_id, start, now)
        if offer is not None:
            offers.append(offer)
            if clinic.waitlist_offer_mode == OfferMode.HOLD:
                break  # the first in line; the time is held for them
    return offers


async def offer_hours(rt: Runtime, clinic: Clinic, practitioner_id: uuid.UUID, day: date,
                      start_minute: int, end_minute: int) -> list[WaitlistOffer]:
    """Extra working hours (a roster exception): each start on the clinic's
    grid inside them is offered, earliest first. Runs inside the write
    transaction that added them."""
    tz, now = ZoneInfo(clinic.timezone), utcnow()
    offers = []
    for minute in range(start_minute, end_minute, clinic.slot_step_minutes):
        offers += await offer_time(rt, clinic, practitioner_id, wall_to_utc(day, minute, tz, later=False), now=now)
    return offers


async def _offer(rt: Runtime, clinic: Clinic, entry: WaitlistEntry, treatment: Treatment,
                 practitioner_id: uuid.UUID, start: datetime, now: datetime) -> WaitlistOffer | None:
    expires_at = now + timedelta(minutes=clinic.waitlist_offer_minutes)
    hold_id = None
    if clinic.waitlist_offer_mode == OfferMode.HOLD:
        hold = await _hold_for(clinic, entry, treatment, practitioner_id, start, expires_at)
        if hold is None:
            return None
        hold_id = hold.id
    token = credentials.new_token()
    offer = await WaitlistOffer.create(
        clinic_id=clinic.id, entry_id=entry.id, practitioner_id=practitioner_id, start_at=start,
        token_hash=credentials.hash_token(token), expires_at=expires_at, hold_id=hold_id,
    )  # fmt: skip
    await _tell(rt, clinic, entry, treatment, practitioner_id, start, token)
    return offer


async def _hold_for(clinic: Clinic, entry: WaitlistEntry, treatment: Treatment, practitioner_id: uuid.UUID,
                    start: datetime, expires_at: datetime) -> SlotHold | None:
    """The time held for the entry's client until the offer runs out; None
    if it was taken meanwhile (a savepoint keeps the change intact)."""
    principal = Principal(kind=PrincipalKind.CLIENT, clinic_id=clinic.id, client_id=entry.client_id)
    shape = _shape(treatment)
    occupied_start, occupied_end = shape.occupied(start)
    try:
        async with in_transaction("default"):
            hold = await SlotHold.create(
                clinic_id=clinic.id, practitioner_id=practitioner_id, treatment_id=treatment.id, start_at=start,
                end_at=start + shape.duration, occupied_start=occupied_start, occupied_end=occupied_end,
                expires_at=expires_at, holder=holds.holder_of(principal, ""),
            )  # fmt: skip
    except IntegrityError:
        return None
    await holds.hold_changed(HoldChange.CREATED, hold)
    return hold


async def _tell(rt: Runtime, clinic: Clinic, entry: WaitlistEntry, treatment: Treatment,
                practitioner_id: uuid.UUID, start: datetime, token: str) -> None:
    client = await Client.get(id=entry.client_id, clinic_id=clinic.id)
    practitioner = await Practitioner.get(id=practitioner_id, clinic_id=clinic.id)
    link = f"{rt.settings.public_booking_url}/p/{quote(clinic.slug)}/waitlist?token={quote(token)}"
    body = sms_texts.render(
        "waitlist_offer", client.language, clinic=clinic.name, treatment=treatment.name,
        practitioner=practitioner.name, start=start, timezone=clinic.timezone, country=clinic.country, link=link,
    )  # fmt: skip
    if clinic.sms_configured and client.phone:
        payload = {"to": client.phone, "body": body, "client_id": str(client.id), "purpose": "waitlist_offer"}
        await enqueue(clinic.id, "sms", payload)
    elif client.email:
        subject = i18n.gettext(client.language, EMAIL_SUBJECT).format(clinic=clinic.name)
        await enqueue(clinic.id, "email", {"to": [client.email], "subject": subject, "body": body, "purpose": "waitlist_offer"})


async def pass_on_lapsed(rt: Runtime, *, now: datetime | None = None) -> int:
    """Offers held for the first in line (mode HOLD) that ran out unclaimed:
    each is closed, its hold let go, and its time offered to the next in
    line. Run every minute by each API process (web/services.py); the
    conditional UPDATE gives each lapsed offer to exactly one of them.
    Answers how many were passed on."""
    now = now or utcnow()
    lapsed = await WaitlistOffer.filter(status=OfferStatus.OPEN, expires_at__lte=now, hold_id__isnull=False)
    passed, closed = 0, False
    for offer in lapsed:
        async with write_transaction():
            if not await WaitlistOffer.filter(id=offer.id, status=OfferStatus.OPEN).update(status=OfferStatus.GONE):
                continue
            clinic = await Clinic.get(id=offer.clinic_id)
            await holds.expire_met(clinic.id, [offer.practitioner_id], offer.start_at, offer.start_at + timedelta(minutes=1), now)
            passed += len(await offer_time(rt, clinic, offer.practitioner_id, offer.start_at, now=now)) > 0
            closed = True
    if closed:  # their holds were let go (and perhaps new ones taken): events and messages to send
        rt.changes_committed()
    return passed


async def give_up_offer(rt: Runtime, offer: WaitlistOffer, *, now: datetime | None = None) -> None:
    """An offer that will not be booked (its claim was refused, its entry no
    longer waits): closed, and the time it held for its client let go and
    offered to the next in line, in one transaction."""
    now = now or utcnow()
    async with write_transaction():
        await WaitlistOffer.filter(id=offer.id).update(status=OfferStatus.GONE)
        hold = await SlotHold.get_or_none(id=offer.hold_id, clinic_id=offer.clinic_id) if offer.hold_id else None
        if hold is not None and await SlotHold.filter(id=hold.id, status=HoldStatus.HELD).update(status=HoldStatus.RELEASED):
            hold.status = HoldStatus.RELEASED
            await holds.hold_changed(HoldChange.RELEASED, hold)
            clinic = await Clinic.get(id=offer.clinic_id)
            await offer_time(rt, clinic, hold.practitioner_id, hold.start_at, now=now)
    rt.changes_committed()


async def let_go_of_lapsed_holds(rt: Runtime, *, now: datetime | None = None) -> int:
    """Holds whose time ran out with nobody booking: each is let go now, so
    the booking pages watching its time hear it free, and the waitlist is
    offered it. (A booking or hold meeting it would let it go anyway; this
    is for the time nobody asks for.) Holds of open waitlist offers are
    `pass_on_lapsed`'s. Run every minute by each API process, after it; the
    conditional UPDATE gives each hold to exactly one of them."""
    now = now or utcnow()
    offered = WaitlistOffer.filter(status=OfferStatus.OPEN, hold_id__isnull=False).values_list("hold_id", flat=True)
    lapsed = await SlotHold.filter(status=HoldStatus.HELD, expires_at__lte=now).exclude(id__in=await offered).limit(500)
    let_go = 0
    for hold in lapsed:
        async with write_transaction():
            if not await SlotHold.filter(id=hold.id, status=HoldStatus.HELD).update(status=HoldStatus.EXPIRED):
                continue
            hold.status = HoldStatus.EXPIRED
            await holds.hold_changed(HoldChange.EXPIRED, hold)
            clinic = await Clinic.get(id=hold.clinic_id)
            await offer_time(rt, clinic, hold.practitioner_id, hold.start_at, now=now)
            let_go += 1
    if let_go:
        rt.changes_committed()
    return let_go


async def plan_waitlist(
    rt: Runtime, kind: EventKind, appointment: Appointment, clinic: Clinic, previous: Appointment | None, rows: ChangeRows
) -> None:
    """A cancellation frees the appointment's time; a move frees the old one."""
    freed = appointment if kind is EventKind.CANCELLED else previous if kind is EventKind.RESCHEDULED else None
    if freed is None:
        return
    await offer_time(rt, clinic, freed.practitioner_id, freed.start_at)
