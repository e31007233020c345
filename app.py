"""`create_app(settings)`: routes, start-up and shut-down. No business rules."""

from __future__ import annotations

import gc
import logging
import re
from contextlib import asynccontextmanager
from datetime import timedelta

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from models.db import close_db, init_db
from realtime import hub
from resolvers import live, runtime
from resolvers.credentials import bearer_token, principal_for_token
from resolvers.ratelimit import RedisRateLimiter
from schema import build_schema
from schema.context import Context
from schema.live_transport import LiveTransportWSHandler
from settings import Settings

log = logging.getLogger("clinicportal")


class GraphQLApp(GraphQL):
    graphql_transport_ws_handler_class = LiveTransportWSHandler

    async def get_context(self, request, response) -> Context:
        principal = await principal_for_token(bearer_token(request.headers.get("authorization")))
        return Context(request=request, response=response, principal=principal)

    async def on_ws_connect(self, context: Context):
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        raw = params.get("authorization") or params.get("Authorization")
        principal = await principal_for_token(bearer_token(raw if isinstance(raw, str) else None))
        # The socket keeps the principal, not the raw token, for its whole life.
        context.connection_params = None
        if principal.clinic_id is None:
            raise ConnectionRejectionError()
        context.principal = principal
        return None


class BodyLimit:
    """Refuses request bodies over a size with 413, before the app reads
    them. A body without a declared length is read up to the limit first."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = JSONResponse({"errors": [{"message": "Request body too large."}]}, 413)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.max_bytes:
                return await too_large(scope, receive, send)
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                return await too_large(scope, receive, send)
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class RedactTokens(logging.Filter):
    """Keeps raw tokens in URLs (booking links) out of access logs."""

    _token = re.compile(r"(token=)[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._token.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args)
        record.msg = self._token.sub(r"\1[redacted]", str(record.msg))
        return True


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())

    @asynccontextmanager
    async def lifespan(app: Starlette):
        redis = Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=1) if settings.redis_url else None
        runtime.configure(settings, RedisRateLimiter(redis) if redis else None)
        await init_db(settings.database_url)
        await hub.start(settings.redis_url, prepare=live.prepare_delivery)
        # Everything loaded so far (modules, the schema, the ORM) lives as
        # long as the process: keep it out of the full collections, which
        # otherwise stall every live fan-out they land in.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await hub.stop()
            await close_db()
            if redis is not None:
                await redis.aclose()

    graphql = GraphQLApp(
        build_schema(settings),
        graphql_ide=None if settings.production else "graphiql",
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.ws_max_subscriptions,
        allowed_origins=settings.ws_allowed_origins,
    )

    async def health(request: Request) -> JSONResponse:
        current = hub.current()
        return JSONResponse({"status": "ok", "liveSubscribers": current.subscriber_count if current else 0})

    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
