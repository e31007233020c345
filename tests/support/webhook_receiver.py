"""A real HTTP server on a loopback port that records webhook deliveries and
answers with the status it is told to."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.servers import free_port


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to answer with, in turn; then 204


@contextlib.asynccontextmanager
async def webhook_receiver(path: str = "/hooks") -> AsyncIterator[Receiver]:
    """Records what is POSTed to `path` (its `url`)."""
    port = free_port()
    receiver = Receiver(url=f"http://127.0.0.1:{port}{path}")

    async def hooks(request: Request) -> Response:
        receiver.received.append(Received(dict(request.headers), await request.body()))
        return Response(status_code=receiver.answers.pop(0) if receiver.answers else 204)

    app = Starlette(routes=[Route(path, hooks, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task
