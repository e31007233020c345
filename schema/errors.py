"""How expected failures reach the caller: `userErrors` in mutation
payloads, `extensions.code` on top-level errors; everything else is masked
in production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Awaitable, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.core.errors import DomainError
from resolvers.core.errors import ErrorCode as ErrorCodeValues
from schema.observability import note_user_error

ErrorCode = strawberry.enum(
    ErrorCodeValues,
    name="ErrorCode",
    description=(
        "Why an expected failure happened: `userErrors[].code` in mutation payloads, "
        "`extensions.code` on top-level errors. APPOINTMENT_LOCKED: the appointment is past, "
        "completed or cancelled. APPOINTMENT_RESCHEDULED: the appointment was moved, which gives "
        "it a new id and keeps the old one, cancelled, as its history; cancelling, moving or "
        "repeating the old id answers this code, with the id it has now in `rescheduledToId`. "
        "PORTAL_ACCESS_DISABLED: the clinic has switched this action (booking, cancelling or "
        "rescheduling) off for its clients in the portal. VERIFICATION_REQUIRED: details typed on "
        "the booking page match an existing client; a one-time code was sent to that client, and "
        "the booking goes ahead when sent again with `verificationCode`. "
        "HOLD_EXPIRED, HOLD_ALREADY_USED, HOLD_RELEASED: a slot hold (`holdSlot`) past its time, "
        "already booked, or given back. TOO_MANY_HOLDS: the caller already holds as many times as "
        "the clinic allows at once."
    ),
)


@strawberry.type
class UserError:
    code: ErrorCode
    message: str
    field: list[str] | None = None
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: when to try again."
    )
    rescheduled_to_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="With APPOINTMENT_RESCHEDULED: the id the appointment has now (after every later move).",
    )

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(
            code=error.code,
            message=error.message,
            field=error.field,
            retry_after_seconds=error.retry_after_seconds,
            rescheduled_to_id=strawberry.ID(error.rescheduled_to_id) if error.rescheduled_to_id else None,
        )


P = TypeVar("P")


async def payload(cls: type[P], work: Awaitable[dict[str, Any]]) -> P:
    """Run a mutation's work: its result fills the payload, a DomainError
    becomes its userErrors."""
    try:
        return cls(**(await work), user_errors=[])
    except DomainError as error:
        note_user_error(error)
        return cls(user_errors=[UserError.of(error)])


def _domain_error(error: GraphQLError) -> DomainError | None:
    original = error.original_error
    return original if isinstance(original, DomainError) else None


def _unexpected(error: GraphQLError) -> bool:
    """An exception raised while resolving, other than a DomainError. Syntax
    and validation errors (limits included) carry no original error."""
    return error.original_error is not None and _domain_error(error) is None


UNEXPECTED = "Unexpected error."


def code_errors(errors: list[GraphQLError], *, mask: bool) -> list[GraphQLError]:
    """Every expected error with its code; with `mask`, every unexpected one
    with its text hidden."""
    coded = []
    for error in errors:
        if mask and _unexpected(error):
            error = GraphQLError(
                message=UNEXPECTED,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=None,
            )
        else:
            domain = _domain_error(error)
            if domain is not None:
                error.extensions = {**(error.extensions or {}), "code": domain.code.value}
                if domain.field:
                    error.extensions["field"] = domain.field
        coded.append(error)
    return coded


class CodedErrors(SchemaExtension):
    """`code_errors` on the errors of every result strawberry makes: the
    operation's result and, over a streaming transport, each result as it
    is sent."""

    def __init__(self, mask: bool) -> None:
        self.mask = mask
        self.streamed = False

    def on_operation(self) -> Iterator[None]:
        self.streamed = False
        yield
        if self.streamed:  # each result was coded as it was sent
            return
        self._code(self.execution_context.result)

    def on_stream_result(self, result: object) -> Iterator[None]:
        self.streamed = True
        self._code(result)
        yield

    def _code(self, result: object) -> None:
        # An attribute read, not an isinstance check against a runtime
        # Protocol, which costs more than the rest of a live event's delivery.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = code_errors(errors, mask=self.mask)
