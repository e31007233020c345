"""What a job handler is (the table of them is jobs/handlers.py). A handler
receives the outbox row (it re-reads anything else it needs by id, within
the row's clinic) and the `JobContext` of the runner carrying it out (the
process's settings, the HTTP client it shares: jobs/context.py), does the work
keyed by the row's id so that a retry never repeats it, and returns what is
worth keeping (a provider's message id) or None.

Raising `Permanent` dead-letters the row at once, `Cancelled` marks it no
longer wanted (the recipient opted out), `InDoubt` retries it but tells the
next attempt that this one may have reached the provider; any other
exception is retried with backoff.

`msg.in_doubt_since` is set when an earlier attempt may have reached the
provider (it timed out, or its worker died mid-send): look for what that
attempt did before sending again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from jobs.context import JobContext
from models import OutboxMessage

Handler = Callable[[OutboxMessage, JobContext], Awaitable[dict[str, Any] | None]]


class Permanent(Exception):
    """A failure that no retry will fix (a refused number, a bad address)."""


class Cancelled(Exception):
    """The message is no longer wanted; nothing was sent."""


class InDoubt(Exception):
    """The provider may have carried out the request (a time-out, a dropped
    connection after sending): retry, but look first."""

