"""The schema class, with extension hooks found once per operation.

For every result (each event of a subscription consumed in process,
included), strawberry looks up each extension's `on_stream_result` hook
again (a getattr and an inspect per extension) and awaits every
extension's `get_results`, although most of them define neither. This
runner finds both once per operation; the hooks run exactly as before.
Live events over the websocket leave this path altogether (see
schema/live_transport.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import StreamResultContextManager, WrappedHook
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.utils.await_maybe import await_maybe


class _StreamResult(StreamResultContextManager):
    """strawberry's context manager, given hooks found already."""

    def __init__(self, hooks: list[WrappedHook], result: Any) -> None:
        self.hooks = hooks
        self.result = result


class LeanExtensionsRunner(SchemaExtensionsRunner):
    def __init__(self, execution_context, extensions: list[SchemaExtension] | None = None) -> None:
        super().__init__(execution_context, extensions)
        self._stream_hooks: list[WrappedHook] | None = None
        self._with_results = [e for e in self.extensions if type(e).get_results is not SchemaExtension.get_results]

    def on_stream_result(self, result: Any) -> StreamResultContextManager:
        if self._stream_hooks is None:
            self._stream_hooks = StreamResultContextManager(self.extensions, result).hooks
        return _StreamResult(self._stream_hooks, result)

    async def get_extensions_results(self, ctx) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for extension in self._with_results:
            data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data


class LeanSchema(strawberry.Schema):
    """`code_errors` codes and masks the errors of results made outside
    strawberry's own pipeline (live events, schema/live_transport.py) as
    the extensions do for every other result."""

    def __init__(self, *args: Any, code_errors: Callable[[list[GraphQLError]], list[GraphQLError]] = list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code_errors = code_errors

    def create_extensions_runner(self, execution_context, extensions: list[SchemaExtension]) -> SchemaExtensionsRunner:
        return LeanExtensionsRunner(execution_context, extensions)
