"""Booking a recurring series: the same treatment every N days or weeks,
with one practitioner or whoever offers it at each occurrence.

Every occurrence is placed like a single booking (book.place: the slot
checked again under the write transaction, the exclusion constraint on
PostgreSQL) inside a savepoint of one transaction. ALL_OR_NOTHING rolls the
whole series back when any occurrence cannot be booked; BOOK_WHAT_FITS keeps
the rest. Either way the answer lists what could not be booked and why.
Reminders and notices are planned per occurrence, the client's confirmation
once for the series (notifications/series_notice.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models import Appointment, AppointmentSeries, Clinic, Treatment, utcnow
from models.db import write_transaction
from realtime import events
from resolvers.booking import recurrence, side_effects
from resolvers.booking.book import SOURCE_OF, bookable_treatment, offering_practitioners, place, shape_of, working_candidates
from resolvers.booking.policy import ensure_in_window
from resolvers.core import access, idempotency, ids, tenant
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.runtime import Runtime
from resolvers.core.times import as_utc
from resolvers.notifications.series_notice import plan_series_confirmation
from telemetry import metrics


class SeriesMode(StrEnum):
    ALL_OR_NOTHING = "ALL_OR_NOTHING"
    BOOK_WHAT_FITS = "BOOK_WHAT_FITS"


@dataclass(frozen=True)
class SeriesRequest:
    clinic_slug: str
    treatment_id: str
    start: datetime  # the first occurrence
    client_id: str
    recurrence: recurrence.Recurrence
    practitioner_id: str | None = None  # None: whoever offers the treatment, per occurrence
    mode: SeriesMode = SeriesMode.ALL_OR_NOTHING
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Missed:
    """An occurrence that could not be booked: its place in the series
    (from 1), its start and why."""

    number: int
    start: datetime
    error: DomainError


@dataclass
class SeriesOutcome:
    series: AppointmentSeries | None = None  # None when nothing was booked
    booked: list[Appointment] = field(default_factory=list)
    missed: list[Missed] = field(default_factory=list)


class _RollBack(Exception):
    """Leaves the write transaction without committing anything."""


@dataclass(frozen=True)
class _Plan:
    clinic: Clinic
    treatment: Treatment
    candidates: list[uuid.UUID]
    client_id: uuid.UUID
    now: datetime
    key: tuple[str, str, str] | None = None  # caller, idempotency key, fingerprint


def _key(principal: Principal, clinic: Clinic, request: SeriesRequest, first: datetime) -> tuple[str, str, str] | None:
    if request.idempotency_key is None:
        return None
    key = idempotency.check_key(request.idempotency_key)
    rule = request.recurrence
    fingerprint = idempotency.fingerprint(
        {
            "series": True,  # never the same request as a single booking with this key
            "clinic": str(clinic.id),
            "treatment": str(ids.parse_id(request.treatment_id) or request.treatment_id),
            "start": first.isoformat(),
            "client": str(ids.parse_id(request.client_id) or request.client_id),
            "practitioner": str(ids.parse_id(request.practitioner_id) or request.practitioner_id),
            "rule": [rule.every, rule.unit.value, rule.count, rule.until and rule.until.isoformat()],
            "mode": request.mode.value,
        }
    )
    return idempotency.caller_of(principal, clinic.id, None), key, fingerprint


async def _replay(clinic: Clinic, key: tuple[str, str, str] | None, now: datetime) -> SeriesOutcome | None:
    """What an earlier request with this key booked: its series and the
    occurrences it booked (`missed` is not kept)."""
    earlier = await idempotency.replay(clinic.id, *key, now) if key else None
    if earlier is None or earlier.series_id is None:
        return None
    series = await AppointmentSeries.get(id=earlier.series_id, clinic_id=clinic.id)
    booked = await Appointment.filter(clinic_id=clinic.id, series_id=series.id, rescheduled_from_id=None).order_by("start_at")
    return SeriesOutcome(series=series, booked=list(booked))


async def _occurrence(principal: Principal, plan: _Plan, start: datetime, series_id: uuid.UUID) -> Appointment:
    ensure_in_window(plan.clinic, principal, start, plan.now)
    working = await working_candidates(plan.clinic, principal, shape_of(plan.treatment), plan.candidates, start)
    return await place(
        plan.clinic, plan.treatment, working, start,
        client_id=plan.client_id, source=SOURCE_OF[principal.kind], series_id=series_id,
    )


async def _book_all(rt: Runtime, principal: Principal, plan: _Plan, request: SeriesRequest, starts: list[datetime]) -> SeriesOutcome:
    """Inside the write transaction; raises _RollBack(outcome) to undo it."""
    claim = None
    if plan.key is not None:
        lifetime = timedelta(hours=rt.settings.idempotency_hours)
        claim = await idempotency.claim(plan.clinic.id, *plan.key, plan.now, lifetime)
    rule = request.recurrence
    series = await AppointmentSeries.create(
        clinic_id=plan.clinic.id, client_id=plan.client_id, treatment_id=plan.treatment.id,
        every=rule.every, unit=rule.unit, created_by=principal.kind.value,
        created_by_id=principal.staff_id if principal.kind is PrincipalKind.STAFF else principal.credential_id,
    )
    outcome = SeriesOutcome(series=series)
    for number, start in enumerate(starts, 1):
        try:
            async with in_transaction("default"):  # a savepoint: a refused occurrence leaves nothing behind
                outcome.booked.append(await _occurrence(principal, plan, start, series.id))
        except DomainError as exc:
            outcome.missed.append(Missed(number, start, exc))
    if not outcome.booked or (outcome.missed and request.mode is SeriesMode.ALL_OR_NOTHING):
        raise _RollBack(SeriesOutcome(missed=outcome.missed))
    # The side effects (a membership session, say, which locks the membership)
    # come after every insert, as in a single booking: taking such a lock and
    # then waiting on another booking's slot could close a circle of waits.
    for appointment in outcome.booked:
        await side_effects.appointment_changed(rt, events.BOOKED, appointment, plan.clinic)
    await plan_series_confirmation(plan.clinic, outcome.booked)
    if claim is not None:
        await idempotency.complete(claim, outcome.booked[0].id)
    return outcome


async def book_series(rt: Runtime, principal: Principal, request: SeriesRequest, *, now: datetime | None = None) -> SeriesOutcome:
    """Book the series; with nothing booked, `series` is None and `missed`
    says why for each occurrence that failed."""
    now = now or utcnow()
    access.require_series_booking(principal)
    facts = await tenant.clinic_facts(rt.clinics, principal, request.clinic_slug)
    clinic = facts.clinic
    if (refusal := access.booking_refusal(clinic, principal)) is not None:
        raise refusal
    first = as_utc(request.start, ["input", "start"])
    starts = recurrence.starts(first, request.recurrence, ZoneInfo(clinic.timezone))
    key = _key(principal, clinic, request, first)
    if (earlier := await _replay(clinic, key, now)) is not None:
        return earlier
    treatment = await bookable_treatment(facts, principal, request.treatment_id, ["input", "treatmentId"])
    candidates = await offering_practitioners(facts, treatment, request.practitioner_id, ["input", "practitionerId"])
    client = await tenant.client(clinic.id, request.client_id, ["input", "clientId"])
    plan = _Plan(clinic, treatment, candidates, client.id, now, key)
    try:
        async with write_transaction():
            outcome = await _book_all(rt, principal, plan, request, starts)
    except _RollBack as nothing:
        return nothing.args[0]
    except idempotency.KeyClash:  # another request with this key committed first: answer what it booked
        if (earlier := await _replay(clinic, key, now)) is None:
            raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, "This idempotency key was just used; retry.") from None
        return earlier
    rt.changes_committed()
    for appointment in outcome.booked:
        metrics.BOOKINGS.labels(appointment.source).inc()
    return outcome
