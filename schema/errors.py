"""How expected failures reach the caller: `userErrors` in mutation
payloads, `extensions.code` on top-level errors; everything else is masked
in production."""

from __future__ import annotations

from typing import Any, Awaitable, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from resolvers.core.errors import DomainError
from resolvers.core.errors import ErrorCode as ErrorCodeValues

ErrorCode = strawberry.enum(ErrorCodeValues, name="ErrorCode")


@strawberry.type
class UserError:
    code: ErrorCode
    message: str
    field: list[str] | None = None
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: when to try again."
    )

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(
            code=error.code, message=error.message, field=error.field, retry_after_seconds=error.retry_after_seconds
        )


P = TypeVar("P")


async def payload(cls: type[P], work: Awaitable[dict[str, Any]]) -> P:
    """Run a mutation's work: its result fills the payload, a DomainError
    becomes its userErrors."""
    try:
        return cls(**(await work), user_errors=[])
    except DomainError as error:
        return cls(user_errors=[UserError.of(error)])


def _domain_error(error: GraphQLError) -> DomainError | None:
    original = error.original_error
    return original if isinstance(original, DomainError) else None


def _unexpected(error: GraphQLError) -> bool:
    """An exception raised while resolving, other than a DomainError. Syntax
    and validation errors (limits included) carry no original error."""
    return error.original_error is not None and _domain_error(error) is None


class CodedErrors(MaskErrors):
    """Gives every expected error its code and, when `mask` is set, hides the
    text of unexpected ones."""

    def __init__(self, mask: bool) -> None:
        super().__init__(should_mask_error=lambda error: mask and _unexpected(error))

    def _process_result(self, result: object) -> None:
        # MaskErrors checks a runtime Protocol with isinstance, which costs
        # more than the rest of a live event's delivery; an attribute read
        # decides the same.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)

    def code(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return self._process_errors(errors)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = []
        for error in super()._process_errors(errors):
            domain = _domain_error(error)
            if domain is not None:
                error.extensions = {**(error.extensions or {}), "code": domain.code.value}
                if domain.field:
                    error.extensions["field"] = domain.field
            processed.append(error)
        return processed
