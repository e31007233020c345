"""Every HTTP request and websocket gets an id: the caller's `X-Request-Id`
when it is a sane one (so that a proxy's or a partner's id follows the
request through our logs), a new random one otherwise. It is on every log
line written while the request is served (telemetry/logs.py) and is sent
back in the `X-Request-Id` response header."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telemetry.logs import REQUEST_ID

HEADER = "X-Request-Id"
# Letters, digits and a few separators, up to 128 characters: enough for
# UUIDs, trace ids and a proxy's ids, never a way to forge a log line.
SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=@-]{0,127}")


def request_id(incoming: str | None) -> str:
    if incoming is not None and SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIds:
    """ASGI middleware: sets `REQUEST_ID` while the request is served and
    adds the header to the response (or to the websocket's accept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        ident = request_id(Headers(scope=scope).get(HEADER))

        async def send_with_id(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[HEADER] = ident
            await send(message)

        token = REQUEST_ID.set(ident)
        await self.app(scope, receive, send_with_id)
        # Reset only after a normal end: the server logs an escaping
        # exception after this returns, and that line keeps the id.
        REQUEST_ID.reset(token)
