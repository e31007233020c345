"""The clinic's booking rules: when a time may be booked, and when an
appointment may still be changed, and by whom."""

from __future__ import annotations

from datetime import datetime, timedelta

from models import Appointment, AppointmentStatus, Clinic, Treatment
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.access import PortalAction, booking_refusal, portal_action_refusal


def booking_window(clinic: Clinic, now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest start a portal or partner booking may take."""
    return (
        now + timedelta(minutes=clinic.booking_min_notice_minutes),
        now + timedelta(days=clinic.booking_horizon_days),
    )


def ensure_in_window(clinic: Clinic, principal: Principal, start: datetime, now: datetime) -> None:
    """Staff book at any time; everyone else within the clinic's window."""
    if principal.is_staff:
        return
    earliest, latest = booking_window(clinic, now)
    if not earliest <= start <= latest:
        raise DomainError(
            ErrorCode.OUTSIDE_BOOKING_WINDOW,
            f"Bookings open from {clinic.booking_min_notice_minutes} minutes to "
            f"{clinic.booking_horizon_days} days ahead.",
            ["start"],
        )


def change_refusal(
    appointment: Appointment, clinic: Clinic, principal: Principal, now: datetime,
    action: PortalAction = PortalAction.CANCEL,
) -> DomainError | None:
    """Why this principal may not cancel (or, with `action` RESCHEDULE,
    move) this appointment now, if not."""
    if (closed := portal_action_refusal(clinic, principal, action)) is not None:
        return closed
    if appointment.status is not AppointmentStatus.BOOKED or appointment.start_at <= now:
        return DomainError(
            ErrorCode.APPOINTMENT_LOCKED, "Past, completed and cancelled appointments cannot be changed."
        )
    if not principal.is_staff and not within_notice(clinic, appointment.start_at, now):
        return DomainError(
            ErrorCode.CANCELLATION_WINDOW_CLOSED,
            f"Changes need {clinic.cancellation_notice_hours} hours' notice; please call the clinic.",
        )
    return None


def within_notice(clinic: Clinic, start: datetime, at: datetime) -> bool:
    """Whether a change at `at` gives the clinic the notice it asks for."""
    return start - at >= timedelta(hours=clinic.cancellation_notice_hours)


def ensure_changeable(
    appointment: Appointment, clinic: Clinic, principal: Principal, now: datetime,
    action: PortalAction = PortalAction.CANCEL,
) -> None:
    refusal = change_refusal(appointment, clinic, principal, now, action)
    if refusal is not None:
        raise refusal


def can_change(
    appointment: Appointment, clinic: Clinic, principal: Principal, now: datetime,
    action: PortalAction = PortalAction.CANCEL,
) -> bool:
    return change_refusal(appointment, clinic, principal, now, action) is None


def treatment_refusal(treatment: Treatment, principal: Principal, field: list[str]) -> DomainError | None:
    """Treatments kept off the portal are booked by the clinic's staff only."""
    if not treatment.online_bookable and not principal.is_staff:
        return DomainError(ErrorCode.TREATMENT_NOT_OFFERED, "This treatment cannot be booked online.", field)
    return None


def can_repeat(appointment: Appointment, clinic: Clinic, treatment: Treatment | None, principal: Principal, now: datetime) -> bool:
    """Whether `repeatAppointment` may book this past appointment's treatment
    again: by the same rules as any booking (access.booking_refusal,
    treatment_refusal), for a caller who names the client (staff, partner
    keys, the client)."""
    if appointment.start_at > now or treatment is None or treatment.archived:
        return False
    if principal.kind not in (PrincipalKind.STAFF, PrincipalKind.PARTNER, PrincipalKind.CLIENT):
        return False
    return booking_refusal(clinic, principal) is None and treatment_refusal(treatment, principal, []) is None
