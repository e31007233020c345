"""The graphql-transport-ws handler, with a direct way out for live events.

Each subscription starts as strawberry runs any operation: parsed,
validated against the limits, authorised by its resolver, and any refusal
sent as its first result. Once authorised, the resolver hands its stream
of events over (`LiveOperation.hand_over`) and strawberry's part ends,
freeing what it held for the operation; the operation's task then runs
the stream itself (`LiveOperation.run`). The hub renders each event once
per audience (resolvers/live.py) with one subscriber's executor, it is
encoded once (`LiveOperation.encode`), and every subscriber's frame is
that text with its own operation id joined in. The error that ends a
stream (an ended session, a subscriber that fell behind) is its last
result, coded and masked as strawberry would, then `complete`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import Operation
from strawberry.utils.aio import aclosing

from schema.documents import BAD_REQUEST, DocumentRefused
from schema.live_executor import ExecutorTaker, take_executors, taker
from schema.live_internals import ResultStreamHandler


def current() -> LiveOperation | None:
    """The websocket operation whose task is running, if any."""
    operation = taker()
    return operation if isinstance(operation, LiveOperation) else None


class LiveOperation(ExecutorTaker):
    """One subscription over a websocket: what its events are rendered
    with (the subscription's executor, taken once graphql-core has built
    it), and where its frames go."""

    __slots__ = ("_handler", "_operation", "_prefix", "_stream")

    def __init__(self, handler: LiveTransportWSHandler, operation: Operation) -> None:
        super().__init__()
        self._handler = handler
        self._operation = operation
        self._prefix = '{"id":' + json.dumps(operation.id) + ',"type":"next","payload":'
        self._stream: AsyncIterator[str] | None = None

    def hand_over(self, stream: AsyncIterator[str]) -> None:
        """`stream` yields the payload text of each event; it is run once
        strawberry's stream for the operation has ended."""
        self._stream = stream

    async def run(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            async with aclosing(stream):
                async for payload_text in stream:
                    await self.send(payload_text)
        except (WebSocketDisconnected, WebSocketDisconnect):
            raise
        except Exception as error:  # noqa: BLE001 - how the stream ends: its last result
            await self.send(self.encode(ExecutionResult(None, [GraphQLError(str(error), original_error=error)])))

    @property
    def document(self) -> tuple[str, str | None, str]:
        """What the rendering of an event depends on in the operation itself."""
        operation = self._operation
        return operation.query, operation.operation_name, json.dumps(operation.variables, sort_keys=True, default=str)

    def encode(self, result: ExecutionResult) -> str:
        """The `next` payload of a rendered event, as text; errors are
        logged, coded and masked as strawberry does for every result."""
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            schema = self._handler.schema
            schema.process_errors(result.errors)
            body["errors"] = [error.formatted for error in schema.code_errors(result.errors)]
        return json.dumps(body, separators=(",", ":"))

    async def send(self, payload_text: str) -> None:
        if not self._operation.completed:
            await self._handler.websocket.send_text(self._prefix + payload_text + "}")


class LiveWebSocketAdapter(ASGIWebSocketAdapter):
    """strawberry's ASGI websocket adapter, able to send a frame already
    encoded. The view makes one per socket (`websocket_adapter_class`)."""

    def __init__(self, view: Any, request: WebSocket, response: WebSocket) -> None:
        super().__init__(view, request, response)
        self.socket = response

    async def send_text(self, text: str) -> None:
        try:
            await self.socket.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


def _malformed(message: Any) -> str | None:
    """Why a frame that is JSON is not a graphql-transport-ws message, if it is not."""
    if not isinstance(message, dict):
        return "WebSocket message must be a JSON object"
    kind = message.get("type")
    if kind in ("subscribe", "complete") and not isinstance(message.get("id"), str):
        return f"A {kind} message needs a string id"
    if kind == "subscribe" and not isinstance(message.get("payload"), dict):
        return "A subscribe message needs an object payload"
    return None


class LiveTransportWSHandler(ResultStreamHandler):
    """Needs the view's `websocket_adapter_class` to be LiveWebSocketAdapter."""

    async def run_operation(self, operation: Operation) -> None:
        # The operation's own task: the variable is seen by its resolver and
        # executor only.
        take_executors(LiveOperation(self, operation))
        await super().run_operation(operation)

    async def after_result_stream(self, operation: Operation) -> None:
        # strawberry's stream has ended; a live subscription may just have
        # handed its events over (then `complete` follows when they end).
        live = current()
        if live is not None:
            await live.run()

    async def handle_message(self, message: Any) -> None:
        # strawberry reads every frame as an object of the right shape: a JSON
        # array, or a subscribe without an object payload, would end the
        # socket with no close code.
        if (malformed := _malformed(message)) is not None:
            await self.handle_invalid_message(malformed)
            return
        if message.get("type") == "subscribe" and self.connection_acknowledged:
            try:
                message["payload"]["query"] = self._document_text(message["payload"])
            except DocumentRefused as refused:
                error = {"message": refused.message, "extensions": {"code": refused.code}}
                await self.send_message({"id": message["id"], "type": "error", "payload": [error]})
                return
        await super().handle_message(message)

    def _document_text(self, payload: dict) -> str:
        """The subscribe payload's document, named by `documentId` or sent
        as text, as the view's `documents` (schema/documents.py) allow."""
        text = self.view.documents.text(payload)
        if not isinstance(text, str):
            raise DocumentRefused(BAD_REQUEST, "A subscribe payload needs a `query` or a `documentId`.")
        return text

    def on_request_accepted(self) -> None:
        if not isinstance(self.websocket, LiveWebSocketAdapter):
            raise TypeError("live frames go out through a LiveWebSocketAdapter: the view's websocket_adapter_class")
        super().on_request_accepted()
        # Once the init timeout has fired or been cancelled, the socket need
        # not keep the finished task (and its cancellation traceback) all day.
        self.connection_init_timeout_task.add_done_callback(self._forget_init_timeout)

    def _forget_init_timeout(self, task) -> None:
        if self.connection_init_timeout_task is task:
            self.connection_init_timeout_task = None
