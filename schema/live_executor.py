"""The graphql-core executor the schema runs operations with: strawberry's,
with two changes for subscriptions.

1. A subscription running over the live websocket transport hands its
   executor to that operation (schema/live_transport.py), so each event
   can be rendered with the subscription's own document, variables and
   middleware by whoever renders it for the subscription's audience.

2. Each event's executor has its own sub-field memo. graphql-core 3.3's
   `build_per_event_executor` makes a shallow copy of the subscription's
   executor, so every event's executor shared one memo dict, keyed by the
   identity of lists built afresh for each event: it gained entries on
   every event (about 1.8 KB per delivery, measured by bench/fanout) until
   the subscription ended."""

from __future__ import annotations

from typing import Any

from graphql import OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema import live_transport


class LiveExecutor(StrawberryGraphQLCoreExecutionContext):
    @classmethod
    def build(cls, *args: Any, **kwargs: Any):
        executor = super().build(*args, **kwargs)
        if isinstance(executor, LiveExecutor) and executor.operation.operation is OperationType.SUBSCRIPTION:
            operation = live_transport.current()
            if operation is not None:
                operation.executor = executor
        return executor

    def build_per_event_executor(self, payload: Any) -> LiveExecutor:
        executor = super().build_per_event_executor(payload)
        if hasattr(executor, "_relevant_sub_fields"):
            executor._relevant_sub_fields = {}
        return executor
