"""Expected failures, with the codes of the public contract."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    RATE_LIMITED = "RATE_LIMITED"
    PORTAL_DISABLED = "PORTAL_DISABLED"
    PORTAL_ACCESS_DISABLED = "PORTAL_ACCESS_DISABLED"  # the clinic switched this action off in the portal
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_CODE = "INVALID_CODE"
    NEW_CLIENTS_NOT_ACCEPTED = "NEW_CLIENTS_NOT_ACCEPTED"
    TOKEN_INVALID = "TOKEN_INVALID"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_ALREADY_USED = "TOKEN_ALREADY_USED"
    SLOT_UNAVAILABLE = "SLOT_UNAVAILABLE"
    RESYNC_REQUIRED = "RESYNC_REQUIRED"  # a live stream cannot resume from the cursor given
    OUTSIDE_BOOKING_WINDOW = "OUTSIDE_BOOKING_WINDOW"
    TREATMENT_NOT_OFFERED = "TREATMENT_NOT_OFFERED"
    APPOINTMENT_LOCKED = "APPOINTMENT_LOCKED"
    APPOINTMENT_RESCHEDULED = "APPOINTMENT_RESCHEDULED"  # moved: act on the id it has now
    CANCELLATION_WINDOW_CLOSED = "CANCELLATION_WINDOW_CLOSED"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    SMS_UNAVAILABLE = "SMS_UNAVAILABLE"  # the clinic has no SMS set up
    TERMS_NOT_ACCEPTED = "TERMS_NOT_ACCEPTED"  # the privacy policy and user agreement
    VERIFICATION_REQUIRED = "VERIFICATION_REQUIRED"  # typed-in details match a client: a code was sent to them
    HOLD_EXPIRED = "HOLD_EXPIRED"  # a slot hold past its time: pick the time again
    HOLD_ALREADY_USED = "HOLD_ALREADY_USED"  # the hold has become an appointment
    HOLD_RELEASED = "HOLD_RELEASED"  # its holder gave the time back
    TOO_MANY_HOLDS = "TOO_MANY_HOLDS"  # one caller holds the most times a clinic allows


class DomainError(Exception):
    """A failure the caller can act on: becomes a `userErrors` entry in a
    mutation payload, or a top-level error with `extensions.code` in a query."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: list[str] | None = None,
        retry_after_seconds: int | None = None,
        rescheduled_to_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.retry_after_seconds = retry_after_seconds
        self.rescheduled_to_id = rescheduled_to_id


def not_found(what: str = "Object", field: list[str] | None = None) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"{what} not found.", field)


def invalid(message: str, field: list[str] | None = None) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


def unauthenticated(message: str = "Sign in to do this.") -> DomainError:
    return DomainError(ErrorCode.UNAUTHENTICATED, message)


def input_field(attr: str) -> list[str]:
    """The GraphQL path of an input field named after a model attribute:
    `booking_min_notice_minutes` -> ["input", "bookingMinNoticeMinutes"]."""
    head, *rest = attr.split("_")
    return ["input", head + "".join(part.title() for part in rest)]
