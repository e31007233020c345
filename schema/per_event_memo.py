"""Keeps long-lived subscriptions from growing with every event.

graphql-core 3.3's `Executor.build_per_event_executor` makes a shallow copy
of the subscription's executor, so every event's executor shares one
sub-field memo dict, keyed by the identity of lists built afresh for each
event: it gains entries on every event (about 1.8 KB per delivery, measured
by bench/fanout) until the subscription ends. A calendar left open all day
would grow without bound. Each per-event executor gets a memo of its own."""

from __future__ import annotations

from graphql.execution.executor import Executor

_build_per_event_executor = Executor.build_per_event_executor


def _own_memo(self: Executor, payload: object) -> Executor:
    executor = _build_per_event_executor(self, payload)
    if hasattr(executor, "_relevant_sub_fields"):
        executor._relevant_sub_fields = {}
    return executor


def install() -> None:
    if Executor.build_per_event_executor is not _own_memo:
        Executor.build_per_event_executor = _own_memo
