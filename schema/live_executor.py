"""The graphql-core executor the schema runs operations with: strawberry's,
with two changes for subscriptions.

1. A subscription started in a task that takes executors (a websocket
   operation, schema/live_transport.py, marks its task with
   `take_executors`) hands its executor to that taker, so each event can
   be rendered with the subscription's own document, variables and
   middleware by whoever renders it for the subscription's audience.

2. Each event's executor has its own sub-field memo. graphql-core 3.3's
   `build_per_event_executor` makes a shallow copy of the subscription's
   executor, so every event's executor shared one memo dict, keyed by the
   identity of lists built afresh for each event: it gained entries on
   every event (about 1.8 KB per delivery, measured by bench/fanout) until
   the subscription ended. The memo is graphql-core's own, so this is done
   in schema/live_internals.py."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from graphql import OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.live_internals import give_own_sub_field_memo


class ExecutorTaker:
    """What a subscription's executor is handed to, in the task marked
    with `take_executors`."""

    __slots__ = ("executor",)

    def __init__(self) -> None:
        self.executor: LiveExecutor | None = None  # set once graphql-core has built it


_taker: ContextVar[ExecutorTaker | None] = ContextVar("live_operation", default=None)


def take_executors(taker: ExecutorTaker) -> None:
    """In the running task (and the tasks it starts), a subscription's
    executor goes to `taker` once built."""
    _taker.set(taker)


def taker() -> ExecutorTaker | None:
    """The running task's taker of executors, if any."""
    return _taker.get()


class LiveExecutor(StrawberryGraphQLCoreExecutionContext):
    @classmethod
    def build(cls, *args: Any, **kwargs: Any):
        executor = super().build(*args, **kwargs)
        if isinstance(executor, LiveExecutor) and executor.operation.operation is OperationType.SUBSCRIPTION:
            operation = _taker.get()
            if operation is not None:
                operation.executor = executor
        return executor

    def build_per_event_executor(self, payload: Any) -> LiveExecutor:
        executor = super().build_per_event_executor(payload)
        give_own_sub_field_memo(executor)
        return executor
