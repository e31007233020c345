"""Memberships at work: a booked appointment of a covered treatment uses a
session, a cancellation in time (before the clinic's notice period) gives it
back, a late one does not, and a move keeps it.

A planner in `side_effects.PLANNERS`: it runs inside the change's write
transaction, so the ledger rows commit or roll back with the booking."""

from __future__ import annotations

from collections import defaultdict

from tortoise.expressions import Q, Subquery
from tortoise.functions import Sum

from models import Actor, Appointment, Clinic, LedgerAccount, LedgerEntry, LedgerKind, Membership, MembershipTreatment
from models.db import insert
from realtime.events import EventKind
from resolvers.billing import balances
from resolvers.booking import policy
from resolvers.notifications.change_rows import ChangeRows
from resolvers.core import tenant
from resolvers.core.runtime import Runtime


def _row(appointment: Appointment, membership_id, kind: LedgerKind, units: int, reason: str) -> LedgerEntry:
    return LedgerEntry(
        clinic_id=appointment.clinic_id,
        account=LedgerAccount.MEMBERSHIP,
        kind=kind,
        client_id=appointment.client_id,
        membership_id=membership_id,
        appointment_id=appointment.id,
        units=units,
        reason=reason,
        actor=Actor.SYSTEM,
    )


async def use_session(appointment: Appointment) -> Membership | None:
    """One session of the client's membership that covers the treatment and
    is still valid on the day, soonest to expire first; None when none has
    a session left."""
    # The client's memberships that cover the treatment (most clients have none: one query).
    candidates = await Membership.filter(
        Q(expires_at=None) | Q(expires_at__gt=appointment.start_at),
        clinic_id=appointment.clinic_id,
        client_id=appointment.client_id,
        id__in=Subquery(
            MembershipTreatment.filter(
                clinic_id=appointment.clinic_id, treatment_id=appointment.treatment_id
            ).values("membership_id")
        ),
    ).select_for_update()  # two bookings may not both take the last session
    if not candidates:
        return None
    left = await balances.sums("membership_id", "units", [m.id for m in candidates])
    usable = [m for m in candidates if (left.get(m.id) or 0) > 0]
    if not usable:
        return None
    chosen = min(usable, key=lambda m: (m.expires_at is None, m.expires_at, m.created_at))
    await insert(_row(appointment, chosen.id, LedgerKind.USED, -1, "Used by a booking"))
    return chosen


async def held_by(appointment: Appointment) -> dict:
    """Sessions an appointment holds, by membership."""
    held: dict = defaultdict(int)
    for entry in await LedgerEntry.filter(appointment_id=appointment.id, account=LedgerAccount.MEMBERSHIP):
        held[entry.membership_id] += entry.units or 0
    return {membership_id: -net for membership_id, net in held.items() if net < 0}


async def covering_memberships(keys: list[tenant.Key]) -> list[Membership | None]:
    """The membership whose session each appointment holds, for the
    request's loader (keys are (clinic, appointment)): the sessions in one
    query per clinic, their memberships in one more."""
    held: dict[tenant.Key, object] = {}
    for clinic_id, ids in tenant.by_clinic(keys).items():
        rows = await (
            LedgerEntry.filter(clinic_id=clinic_id, account=LedgerAccount.MEMBERSHIP, appointment_id__in=ids)
            .annotate(net=Sum("units"))
            .group_by("appointment_id", "membership_id")
            .values("appointment_id", "membership_id", "net")
        )
        held.update({(clinic_id, r["appointment_id"]): r["membership_id"] for r in rows if (r["net"] or 0) < 0})
    found = {}
    if held:
        clinics = {clinic_id for clinic_id, _ in held}
        for m in await Membership.filter(clinic_id__in=clinics, id__in=set(held.values())):
            found[(m.clinic_id, m.id)] = m
    return [found.get((k[0], held[k])) if k in held else None for k in keys]


def cancelled_in_time(appointment: Appointment, clinic: Clinic) -> bool:
    if appointment.cancelled_at is None:
        return False
    return policy.within_notice(clinic, appointment.start_at, appointment.cancelled_at)


async def return_sessions(appointment: Appointment, reason: str) -> dict:
    held = await held_by(appointment)
    for membership_id, count in held.items():
        await _row(appointment, membership_id, LedgerKind.RETURNED, count, reason).save()
    return held


async def plan_membership_sessions(
    rt: Runtime, kind: EventKind, appointment: Appointment, clinic: Clinic, previous: Appointment | None, rows: ChangeRows
) -> None:
    if kind is EventKind.BOOKED:
        if rows.covered is not False:  # the change looked: no membership of the client covers it
            await use_session(appointment)
    elif kind is EventKind.CANCELLED and cancelled_in_time(appointment, clinic):
        await return_sessions(appointment, "Cancelled in time")
    elif kind is EventKind.RESCHEDULED and previous is not None:
        # The session moves with the appointment, whatever the notice.
        for membership_id, count in (await return_sessions(previous, "Moved to another time")).items():
            await _row(appointment, membership_id, LedgerKind.USED, -count, "Moved from another time").save()
