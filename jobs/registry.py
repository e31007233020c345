"""Job handlers by outbox kind. A handler receives the outbox row (it
re-reads anything else it needs by id, within the row's clinic), does the
work keyed by the row's id so that a retry never repeats it, and returns
what is worth keeping (a provider's message id) or None.

Raising `Permanent` dead-letters the row at once; any other exception is
retried with backoff."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from models import OutboxMessage

Handler = Callable[[OutboxMessage], Awaitable[dict[str, Any] | None]]

HANDLERS: dict[str, Handler] = {}


class Permanent(Exception):
    """A failure that no retry will fix (a refused number, a bad address)."""


def handles(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if kind in HANDLERS:
            raise RuntimeError(f"two handlers for outbox kind {kind!r}")
        HANDLERS[kind] = handler
        return handler

    return register
