"""The one place in the project that touches library internals.

Live events are rendered once per audience with graphql-core's own
executor and sent as pre-encoded frames over strawberry's
graphql-transport-ws handler (schema/live_transport.py,
resolvers/booking/live.py). Two steps of that have no public hook, so
they are made here, and every other module uses what this one offers:

- graphql-core `Executor._relevant_sub_fields` (set in `Executor.__init__`,
  read by `Executor.collect_subfields`): the memo of collected sub-fields.
  `Executor.build_per_event_executor` makes a shallow copy of the
  subscription's executor, so without a memo of its own every event's
  executor adds entries to the subscription's memo, keyed by the identity
  of lists built afresh for each event, until the subscription ends.
  `give_own_sub_field_memo` gives an event's executor an empty one.

- strawberry `BaseGraphQLTransportWSHandler._send_result_stream(operation,
  result_source)`: called by `run_operation` in the operation's task to
  send strawberry's results, after which `run_operation` sends `complete`.
  `ResultStreamHandler.after_result_stream` runs between the two: once
  strawberry's stream of results has ended (and with it what strawberry
  held for the operation), before `complete`.

Everything else goes through public surfaces: frames are written by the
view's websocket adapter (`websocket_adapter_class`,
schema/live_transport.py), errors are coded and masked by a schema
extension's hooks (schema/errors.py), the hub's backend is a
`broadcaster.BroadcastBackend`, and request bodies are limited by
Starlette's `max_body_size` (app.py).

Checked against strawberry-graphql 0.341.2 and graphql-core 3.3.2; the
ranges pinned in pyproject.toml are strawberry-graphql >=0.340,<0.350 and
graphql-core >=3.3.2,<3.4. tests/project/test_library_internals.py checks each of
these internals on the installed versions and names the one that moved."""

from __future__ import annotations

from typing import Any

from graphql import Executor
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)

# The internals touched here, by distribution, and the version each was
# checked against.
INTERNALS = {
    "graphql-core": ["Executor._relevant_sub_fields"],
    "strawberry-graphql": ["BaseGraphQLTransportWSHandler._send_result_stream"],
}
CHECKED_AGAINST = {"graphql-core": "3.3.2", "strawberry-graphql": "0.341.2"}


def give_own_sub_field_memo(executor: Executor) -> None:
    """An event's executor (from `build_per_event_executor`) gets an empty
    sub-field memo instead of sharing the subscription's."""
    if hasattr(executor, "_relevant_sub_fields"):
        executor._relevant_sub_fields = {}


class ResultStreamHandler(BaseGraphQLTransportWSHandler):
    """strawberry's graphql-transport-ws handler with one hook more."""

    async def _send_result_stream(self, operation: Operation, result_source: Any) -> None:
        await super()._send_result_stream(operation, result_source)
        await self.after_result_stream(operation)

    async def after_result_stream(self, operation: Operation) -> None:
        """Runs in the operation's task once strawberry's results for it have
        all been sent, before `complete` is."""
