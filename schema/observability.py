"""What each GraphQL operation leaves in the logs and the metrics.

An expected error (a `DomainError`: NOT_FOUND, SLOT_UNAVAILABLE,
INVALID_INPUT, ...; or a document that does not parse or validate) is one
INFO line with the operation's name and the code, whether it reaches the
caller as a top-level error or in a payload's `userErrors`. An unexpected
one is an ERROR line with its traceback. Each operation counts in
`clinicportal_graphql_requests`, `..._request_duration_seconds` and, per
code, `clinicportal_graphql_errors` (telemetry/metrics.py).

`ClinicSchema.process_errors` (strawberry's hook for the errors of a result,
called before they are masked) calls `report_errors`; `payload`
(schema/errors.py) calls `note_user_error`; `ObservedOperations`, a schema
extension, times the operation and counts it."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from resolvers.core.errors import DomainError
from telemetry import metrics

log = logging.getLogger("clinicportal.graphql")

INTERNAL = "INTERNAL"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
# Operation names are the caller's to choose: past this many distinct ones a
# process counts the rest as "other", so that no caller can grow the metrics
# without bound.
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_known_names: set[str] = set()


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


def _label(name: str) -> str:
    if name in _known_names:
        return name
    if len(_known_names) >= MAX_OPERATION_NAMES:
        return "other"
    _known_names.add(name)
    return name


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
    code, where = error.code.value, ".".join(error.field) if error.field else "-"
    log.info("%s: %s (userErrors) at %s", name, code, where, extra={"operation": name, "code": code, "path": where})
    if current is not None:
        current.codes.append(code)
        current.kinds.add(EXPECTED)


def _outcome(operation: _Operation) -> str:
    if UNEXPECTED in operation.kinds:
        return "unexpected_error"
    if INVALID in operation.kinds:
        return "invalid"
    return "expected_error" if operation.codes else "ok"


def _is_subscription(execution_context: ExecutionContext) -> bool:
    try:
        return execution_context.operation_type is OperationType.SUBSCRIPTION
    except RuntimeError:  # no document: it did not parse
        return False


class ObservedOperations(SchemaExtension):
    """Times and counts each query and mutation (a subscription lasts as
    long as its stream: its errors are counted, not its duration)."""

    def on_operation(self) -> Iterator[None]:
        operation = _Operation(self.execution_context)
        token = _current.set(operation)
        started = time.perf_counter()
        try:
            yield
        finally:
            # A subscription's stream may be closed from another context
            # (the event loop's finaliser): there, this one's value is gone anyway.
            with suppress(ValueError):
                _current.reset(token)
        name = _label(operation_name(self.execution_context))
        for code in operation.codes:
            metrics.GRAPHQL_ERRORS.labels(name, code).inc()
        if _is_subscription(self.execution_context):
            return
        outcome = _outcome(operation)
        metrics.GRAPHQL_REQUESTS.labels(name, outcome).inc()
        metrics.GRAPHQL_LATENCY.labels(name, outcome).observe(time.perf_counter() - started)
