"""How each subscription event is executed.

1. Its own memo. graphql-core 3.3's `Executor.build_per_event_executor` makes
   a shallow copy of the subscription's executor, so every event's executor
   shared one sub-field memo dict, keyed by the identity of lists built
   afresh for each event: it gained entries on every event (about 1.8 KB per
   delivery, measured by bench/fanout) until the subscription ended.

2. Rendered once per audience. A payload that carries a `rendered` dict is
   shared by every local subscriber allowed to see the same thing (see
   `scope.view_of`); the first subscriber with a given document and
   variables executes it, the others reuse that result instead of running
   the same selection set again."""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

from graphql.execution.executor import Executor

_build_per_event_executor = Executor.build_per_event_executor


def _document_key(executor: Executor) -> tuple[str, str | None, str] | None:
    operation = executor.operation
    if operation.loc is None:
        return None
    name = operation.name.value if operation.name else None
    return operation.loc.source.body, name, json.dumps(executor.variable_values, sort_keys=True, default=str)


def _render_once(executor: Executor, rendered: dict[Any, Any]) -> None:
    key = _document_key(executor)
    if key is None:
        return
    execute = executor.execute_operation

    def execute_once(serially: bool | None = None) -> Any:
        if key not in rendered:
            result = execute(serially)
            rendered[key] = asyncio.ensure_future(result) if inspect.isawaitable(result) else result
        found = rendered[key]
        if not isinstance(found, asyncio.Future):
            return found
        if found.done() and not found.cancelled() and found.exception() is None:  # the usual case
            return found.result()
        # Shielded: one subscriber leaving must not cancel the others' result.
        return asyncio.shield(found)

    executor.execute_operation = execute_once


def _per_event_executor(self: Executor, payload: object) -> Executor:
    executor = _build_per_event_executor(self, payload)
    if hasattr(executor, "_relevant_sub_fields"):
        executor._relevant_sub_fields = {}
    rendered = getattr(payload, "rendered", None)
    if isinstance(rendered, dict):
        _render_once(executor, rendered)
    return executor


def install() -> None:
    if Executor.build_per_event_executor is not _per_event_executor:
        Executor.build_per_event_executor = _per_event_executor
