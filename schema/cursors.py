"""`calendarCursor`: the cursor a request's reads are consistent with.

When a request asks for `calendarCursor`, the clinic's log head is read
once, before the request reads any appointments (`calendar`, a client's
`appointments`); those reads then reflect at least every event up to it,
so a stream resumed after it misses nothing (it may repeat a change the
reads already show, which a calendar applies as the same state). The head
is the one the request's check of the clinic's log read."""

from __future__ import annotations

import asyncio

from graphql import FieldNode

from resolvers.booking import live
from schema.context import Info

FIELD = "calendarCursor"


def asked(info: Info) -> bool:
    selections = info.operation.selection_set.selections
    return any(isinstance(node, FieldNode) and node.name.value == FIELD for node in selections)


def of_request(info: Info) -> asyncio.Future[str] | None:
    """The request's cursor, read once; None for a caller of no clinic."""
    context = info.context
    clinic_id = context.principal.clinic_id
    if clinic_id is None:
        return None
    if context.live_cursor is None:
        context.live_cursor = asyncio.ensure_future(_head_cursor(context, clinic_id))
    return context.live_cursor


async def _head_cursor(context, clinic_id) -> str:
    # The request's one check of the clinic's log (resolvers/core/clinic_cache.py)
    # read the head: whenever it ran, it ran before these reads.
    return live.cursor_of(clinic_id, await context.runtime.clinics.sync(clinic_id))


async def before_reading(info: Info) -> None:
    """Called by the resolvers that read appointments, before they do."""
    if asked(info) and (cursor := of_request(info)) is not None:
        await cursor
