"""The baseline server of bench/fanout.py: a bare Starlette websocket
endpoint that relays every message of the Redis pattern `clinic:*` (as
realtime/redis_backend.py subscribes) to every connected socket, as-is. No
GraphQL, no credentials, no per-subscriber queue, no database.

    REDIS_URL=redis://127.0.0.1:6379/0 python -m uvicorn bench.fanout_baseline:app --port 8100

`GET /health` answers {"status": "ok", "sockets": N}."""

from __future__ import annotations

import asyncio
import contextlib
import os
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

PATTERN = "clinic:*"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

sockets: set[WebSocket] = set()


async def relay() -> None:
    """Reads the pattern subscription the way the app's backend does
    (get_message with a timeout) and sends each message to every socket."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.psubscribe(PATTERN)
        while True:
            message = await pubsub.get_message(timeout=1.0)
            if message is None or message["type"] != "pmessage":
                continue
            text = message["data"].decode()
            for ws in list(sockets):
                try:
                    await ws.send_text(text)
                except Exception:  # noqa: BLE001 - a socket that went away stops receiving
                    sockets.discard(ws)
    finally:
        await asyncio.gather(pubsub.aclose(), client.aclose(), return_exceptions=True)


async def endpoint(ws: WebSocket) -> None:
    await ws.accept()
    sockets.add(ws)
    try:
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass
    finally:
        sockets.discard(ws)


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "sockets": len(sockets)})


@asynccontextmanager
async def lifespan(app: Starlette):
    task = asyncio.create_task(relay(), name="baseline-relay")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


app = Starlette(routes=[Route("/health", health), WebSocketRoute("/ws", endpoint)], lifespan=lifespan)
