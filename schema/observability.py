"""What each GraphQL operation leaves in the logs.

An expected error (a `DomainError`: NOT_FOUND, SLOT_UNAVAILABLE,
INVALID_INPUT, ...; or a document that does not parse or validate) is one
INFO line with the operation's name and the code, whether it reaches the
caller as a top-level error or in a payload's `userErrors`. An unexpected
one is an ERROR line with its traceback.

`ClinicSchema.process_errors` (strawberry's hook for the errors of a result,
called before they are masked) calls `report_errors`; `payload`
(schema/errors.py) calls `note_user_error`; `ObservedOperations`, a schema
extension, gathers what one operation met."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from resolvers.core.errors import DomainError

log = logging.getLogger("clinicportal.graphql")

INTERNAL = "INTERNAL"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


@dataclass
class _Operation:
    """What one operation met, gathered while it runs."""

    execution_context: ExecutionContext
    codes: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    seen: set[int] = field(default_factory=set)  # strawberry may report an error twice


_current: ContextVar[_Operation | None] = ContextVar("graphql_operation", default=None)


def operation_name(execution_context: ExecutionContext | None) -> str:
    name = execution_context.operation_name if execution_context is not None else None
    return name if name and _NAME.fullmatch(name) else "anonymous"


def _path(error: GraphQLError) -> str:
    return ".".join(str(part) for part in error.path) if error.path else "-"


EXPECTED, INVALID, UNEXPECTED = "expected", "invalid", "unexpected"


def _classify(error: GraphQLError, execution_context: ExecutionContext | None) -> tuple[str, str]:
    """(code, kind): a DomainError is EXPECTED; a document or variables the
    schema refuses (no original error, no path) INVALID; anything raised
    while resolving, or a field that broke its type, UNEXPECTED."""
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code.value, EXPECTED
    if original is not None or error.path:
        return INTERNAL, UNEXPECTED
    coded = (error.extensions or {}).get("code")
    if isinstance(coded, str):
        return coded, INVALID
    parsed = execution_context is not None and execution_context.graphql_document is not None
    return (VALIDATION_FAILED if parsed else PARSE_FAILED), INVALID


def report_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Logs each error once: one INFO line for an expected or invalid one,
    the traceback for an unexpected one."""
    current = _current.get()
    name = operation_name(execution_context)
    for error in errors:
        if current is not None:
            if id(error) in current.seen:
                continue
            current.seen.add(id(error))
        code, kind = _classify(error, execution_context)
        where = _path(error)
        extra = {"operation": name, "code": code, "path": where}
        if kind == UNEXPECTED:
            log.error("%s: unexpected error at %s", name, where, exc_info=error.original_error, extra=extra)
        else:
            log.info("%s: %s at %s", name, code, where, extra=extra)
        if current is not None:
            current.codes.append(code)
            current.kinds.add(kind)


def note_user_error(error: DomainError) -> None:
    """A DomainError answered as a payload's `userErrors`."""
    current = _current.get()
    name = operation_name(current.execution_context if current else None)
    where = ".".join(error.field) if error.field else "-"
    log.info("%s: %s (userErrors) at %s", name, error.code.value, where, extra={"operation": name, "code": error.code.value, "path": where})
    if current is not None:
        current.codes.append(error.code.value)
        current.kinds.add(EXPECTED)


class ObservedOperations(SchemaExtension):
    """Gathers what each operation meets, so that an error strawberry
    reports twice is logged once and a payload's userErrors are logged with
    the operation's name."""

    def on_operation(self) -> Iterator[None]:
        token = _current.set(_Operation(self.execution_context))
        try:
            yield
        finally:
            # A subscription's stream may be closed from another context
            # (the event loop's finaliser): there, this one's value is gone anyway.
            with suppress(ValueError):
                _current.reset(token)
