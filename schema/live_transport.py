"""The graphql-transport-ws handler, sending each shared `next` payload as
text encoded once.

Live events are rendered once per audience (schema/per_event_memo.py), so
many subscriptions are handed the very same `data` object. strawberry would
build a message dict and JSON-encode it again for every one of them; here the
payload is encoded once and each subscriber's frame differs only by its
operation id, joined in by concatenation. Results with errors or extensions
take strawberry's own path."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError

# Payloads of the last few events: enough for every audience of a burst,
# small enough to hold no memory to speak of.
ENCODED_KEEP = 256


class EncodedPayloads:
    """`data` object -> its encoded `next` payload. Keyed by identity, and
    the object is held with its text, so an id is never reused while kept."""

    def __init__(self, keep: int = ENCODED_KEEP) -> None:
        self._keep = keep
        self._texts: OrderedDict[int, tuple[Any, str]] = OrderedDict()

    def text(self, data: Any, encode) -> str:
        found = self._texts.get(id(data))
        if found is not None and found[0] is data:
            return found[1]
        text = encode({"data": data})
        self._texts[id(data)] = (data, text)
        if len(self._texts) > self._keep:
            self._texts.popitem(last=False)
        return text


payloads = EncodedPayloads()


def next_frame(operation_id: str, payload_text: str) -> str:
    return '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":' + payload_text + "}"


class LiveTransportWSHandler(BaseGraphQLTransportWSHandler):
    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        # Once the init timeout has fired or been cancelled, the socket need
        # not keep the finished task (and its cancellation traceback) all day.
        self.connection_init_timeout_task.add_done_callback(self._forget_init_timeout)

    def _forget_init_timeout(self, task) -> None:
        if self.connection_init_timeout_task is task:
            self.connection_init_timeout_task = None

    async def _send_result_stream(self, operation: Operation, result_source) -> None:
        is_first_result = True
        async for result in result_source:
            if is_first_result and isinstance(result, PreExecutionError):
                await self._handle_pre_execution_error(operation, result)
                return
            if not isinstance(result, ExecutionResult):
                await self._reject_incremental_delivery(operation)
                return
            if result.errors or result.extensions or operation.completed:
                await operation.send_next(result)
            else:
                await self.send_text(next_frame(operation.id, payloads.text(result.data, self.view.encode_json)))
            is_first_result = False

    async def send_text(self, text: str) -> None:
        try:
            await self.websocket.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc
