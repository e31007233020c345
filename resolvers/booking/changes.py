"""Changing a booked appointment: cancelling it, moving it, or booking a
past one again. An occurrence of a recurring series is cancelled or moved
alone or with the later ones (series_changes.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from models import Appointment, AppointmentStatus, Clinic, Treatment, utcnow
from models.db import write_transaction
from realtime import events
from resolvers.core import access
from resolvers.core import tenant
from resolvers.booking import moves, recurrence, side_effects
from resolvers.booking.book import (
    SOURCE_OF,
    BookingRequest,
    book_appointment,
    offering_practitioners,
    place,
    shape_of,
    working_candidates,
)
from resolvers.core.clinic_cache import ClinicFacts
from resolvers.core.times import as_utc
from resolvers.core.errors import DomainError, ErrorCode, invalid
from resolvers.booking.policy import change_refusal, ensure_changeable, ensure_in_window
from resolvers.booking.series_changes import ChangeScope, in_scope, naming
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.runtime import Runtime
from telemetry import metrics

MAX_REASON = 500


def _who(principal: Principal) -> tuple[str, object]:
    if principal.kind is PrincipalKind.STAFF:
        return "STAFF", principal.staff_id
    if principal.kind is PrincipalKind.PARTNER:
        return "PARTNER", principal.credential_id
    return "CLIENT", principal.client_id


async def _locked(principal: Principal, appointment_id: str) -> tuple[Appointment, Clinic]:
    """The appointment, re-read and locked inside the write transaction; a
    moved one answers with the id it has now."""
    appointment = await tenant.appointment(principal, appointment_id, for_update=True)
    await moves.ensure_not_moved(principal, appointment)
    clinic = await Clinic.get(id=appointment.clinic_id)
    return appointment, clinic


async def _mark_cancelled(appointment: Appointment, principal: Principal, now: datetime, reason: str | None) -> None:
    """Cancel the locked row, and the object in hand with it."""
    by, by_id = _who(principal)
    change = {
        "status": AppointmentStatus.CANCELLED,
        "cancelled_at": now,
        "cancelled_by": by,
        "cancelled_by_id": by_id,
        "cancellation_reason": reason,
    }
    await Appointment.filter(id=appointment.id, status=AppointmentStatus.BOOKED).update(**change)
    for name, value in change.items():
        setattr(appointment, name, value)


async def cancel_appointment(
    rt: Runtime,
    principal: Principal,
    appointment_id: str,
    reason: str | None,
    *,
    scope: ChangeScope = ChangeScope.THIS,
    now: datetime | None = None,
) -> list[Appointment]:
    """Cancel the appointment and, with THIS_AND_FOLLOWING, the later
    occurrences of its series, all in one transaction: one that may not be
    cancelled leaves every one as it was. The named one comes first."""
    now = now or utcnow()
    access.require_appointment_change(principal)
    if reason is not None and len(reason) > MAX_REASON:
        raise invalid(f"A reason has at most {MAX_REASON} characters.", ["reason"])
    async with write_transaction():
        appointment, clinic = await _locked(principal, appointment_id)
        ensure_changeable(appointment, clinic, principal, now)
        targets = await in_scope(principal, appointment, scope)
        for target in targets:
            if (refusal := change_refusal(target, clinic, principal, now)) is not None:
                raise naming(refusal, target, clinic)
            await _mark_cancelled(target, principal, now, (reason or "").strip() or None)
            await side_effects.appointment_changed(rt, events.CANCELLED, target, clinic)
    rt.changes_committed()
    for target in targets:
        metrics.CANCELLATIONS.labels(SOURCE_OF[principal.kind]).inc()
    return targets


async def _move(
    principal: Principal, facts: ClinicFacts, treatment: Treatment, old: Appointment, start: datetime,
    practitioner_id: str | None,
) -> Appointment:
    """Book `old`'s move to `start`; `old` is already marked cancelled."""
    clinic = facts.clinic
    candidates = await offering_practitioners(
        facts, treatment, practitioner_id or str(old.practitioner_id), ["practitionerId"]
    )
    candidates = await working_candidates(clinic, principal, shape_of(treatment), candidates, start)
    return await place(
        clinic,
        treatment,
        candidates,
        start,
        client_id=old.client_id,
        source=SOURCE_OF[principal.kind],
        ignore=old.id,
        rescheduled_from=old.id,
        series_id=old.series_id,
    )


async def reschedule_appointment(
    rt: Runtime,
    principal: Principal,
    appointment_id: str,
    start: datetime,
    practitioner_id: str | None,
    *,
    scope: ChangeScope = ChangeScope.THIS,
    now: datetime | None = None,
) -> list[Appointment]:
    """Move an appointment in one transaction: the old one is cancelled as
    rescheduled and a new one, linked to it, takes the new time. The new
    time may overlap the old one. With THIS_AND_FOLLOWING the later
    occurrences of its series move by the same offset on the clinic's wall
    clock, all or none. Answers the new appointments, the named one's first."""
    now = now or utcnow()
    access.require_appointment_change(principal)
    start = as_utc(start, ["start"])
    async with write_transaction():
        first, clinic = await _locked(principal, appointment_id)
        ensure_changeable(first, clinic, principal, now, access.PortalAction.RESCHEDULE)
        olds = await in_scope(principal, first, scope)
        tz = ZoneInfo(clinic.timezone)
        offset = recurrence.wall_offset(first.start_at, start, tz)
        starts = [start, *(recurrence.wall_shift(old.start_at, offset, tz) for old in olds[1:])]
        treatment = await Treatment.get(id=first.treatment_id, clinic_id=clinic.id)
        facts = replace(await rt.clinics.facts(clinic.id), clinic=clinic)  # the clinic as locked
        for old, new_start in zip(olds, starts):  # every one is cancelled before any is placed
            try:
                ensure_changeable(old, clinic, principal, now, access.PortalAction.RESCHEDULE)
                ensure_in_window(clinic, principal, new_start, now)
            except DomainError as exc:
                raise (naming(exc, old, clinic) if old is not first else exc) from None
            await _mark_cancelled(old, principal, now, "Rescheduled")
        moved = []
        for old, new_start in zip(olds, starts):
            try:
                moved.append((old, await _move(principal, facts, treatment, old, new_start, practitioner_id)))
            except DomainError as exc:
                raise (naming(exc, old, clinic) if old is not first else exc) from None
        for old, new in moved:  # after every insert, as series.py explains
            await side_effects.appointment_changed(rt, events.RESCHEDULED, new, clinic, previous=old)
    rt.changes_committed()  # each diary hears of it: every old row (now cancelled), then its new one
    for _ in moved:
        metrics.RESCHEDULES.labels(SOURCE_OF[principal.kind]).inc()
    return [new for _, new in moved]


async def repeat_appointment(
    rt: Runtime,
    principal: Principal, appointment_id: str, start: datetime, *, now: datetime | None = None
) -> Appointment:
    """Book a past appointment's treatment again, with the same practitioner
    when they still offer it and are free at `start`, or else anyone who does."""
    now = now or utcnow()
    past = await tenant.appointment(principal, appointment_id)
    await moves.ensure_not_moved(principal, past)  # it never took place: the one it became may
    if past.start_at > now:
        raise invalid("Only past appointments can be repeated.", ["id"])
    clinic = await Clinic.get(id=past.clinic_id)
    treatment = await tenant.treatment(clinic.id, str(past.treatment_id), ["id"])
    offered = await offering_practitioners(await rt.clinics.facts(clinic.id), treatment, None, ["id"])
    request = BookingRequest(
        clinic_slug=clinic.slug, treatment_id=str(past.treatment_id), start=start, client_id=str(past.client_id)
    )
    if past.practitioner_id in offered:
        try:
            return await book_appointment(rt, principal, replace(request, practitioner_id=str(past.practitioner_id)), now=now)
        except DomainError as exc:
            if exc.code is not ErrorCode.SLOT_UNAVAILABLE:
                raise
    return await book_appointment(rt, principal, request, now=now)
