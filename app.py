"""`create_app(settings)`: routes, start-up and shut-down. No business rules."""

from __future__ import annotations

import gc
import logging
import re
from contextlib import asynccontextmanager
from datetime import timedelta
from urllib.parse import parse_qsl

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from jobs.runner import InProcessRunner
from models.db import close_db, init_db
from portal import pages
from realtime import hub as live_hub
from resolvers.booking import live
from resolvers.admin import portal_settings
from resolvers.core.runtime import Runtime, no_job_runner
from resolvers.notifications import twilio_webhooks
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.account.credentials import bearer_token, principal_for_token
from resolvers.core.ratelimit import RedisRateLimiter
from schema import build_schema
from schema.context import Context
from schema.live_transport import LiveTransportWSHandler, LiveWebSocketAdapter
from settings import Settings

log = logging.getLogger("clinicportal")

TWILIO_WEBHOOKS_PER_MINUTE = 600  # per address: each request checks a signature


class Refused(Exception):
    """A request answered before GraphQL runs (a rate-limited key, a
    multipart request a browser form could have sent)."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _graphql_error(status: int, message: str, code: str, headers: dict | None = None, **extensions) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return JSONResponse(body, status, headers=headers)


class GraphQLApp(GraphQL):
    graphql_transport_ws_handler_class = LiveTransportWSHandler
    websocket_adapter_class = LiveWebSocketAdapter

    def __init__(self, schema, runtime: Runtime, **kwargs) -> None:
        super().__init__(schema, **kwargs)
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except Refused as refused:
            await refused.response(scope, receive, send)

    async def get_context(self, request, response) -> Context:
        if not isinstance(request, Request):  # a websocket: its credential comes in connection_init
            return Context(request=request, runtime=self.runtime, response=response)
        authorization = request.headers.get("authorization")
        if request.method == "POST" and _multipart(request.headers.get("content-type")) and not authorization:
            # A browser form on another site can send multipart without a
            # preflight, but never an Authorization header: uploads need one.
            raise Refused(_graphql_error(400, "Multipart requests need an Authorization header.", "UNAUTHENTICATED"))
        try:
            principal = await principal_for_token(self.runtime, bearer_token(authorization))
        except DomainError as error:
            raise Refused(_refusal(error)) from None
        return Context(request=request, runtime=self.runtime, response=response, principal=principal)

    async def on_ws_connect(self, context: Context):
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        raw = params.get("authorization") or params.get("Authorization")
        try:
            principal = await principal_for_token(context.runtime, bearer_token(raw if isinstance(raw, str) else None))
        except DomainError:
            raise ConnectionRejectionError() from None
        # The socket keeps the principal, not the raw token, for its whole life.
        context.connection_params = None
        if principal.clinic_id is None:
            raise ConnectionRejectionError()
        context.principal = principal
        return None


def _multipart(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "multipart/form-data"


def _refusal(error: DomainError) -> Response:
    if error.code is ErrorCode.RATE_LIMITED:
        retry = error.retry_after_seconds or 1
        return _graphql_error(
            429, error.message, error.code.value, {"Retry-After": str(retry)}, retryAfterSeconds=retry
        )
    return _graphql_error(400, error.message, error.code.value)


async def media(request: Request) -> Response:
    """Uploaded files (clinic logos) by their random names: never a script,
    never sniffed into another type, cached for good (a new upload gets a
    new name)."""
    found = portal_settings.stored_file(request.app.state.runtime.settings, request.path_params["name"])
    if found is None:
        return PlainTextResponse("Not found", 404, headers={"X-Content-Type-Options": "nosniff"})
    path, media_type = found
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "public, max-age=31536000, immutable",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )


def _uploads_may_be_larger(app: ASGIApp, max_upload_bytes: int) -> ASGIApp:
    """A multipart upload's body may be up to `max_upload_bytes`: Starlette's
    limit nearest the endpoint replaces the application's for the request."""
    uploads = RequestBodyLimitMiddleware(app, max_body_size=max_upload_bytes)

    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        upload = scope["type"] == "http" and _multipart(Headers(scope=scope).get("content-type"))
        await (uploads if upload else app)(scope, receive, send)

    return limited


class RedactTokens(logging.Filter):
    """Keeps raw tokens in URLs (booking links) out of access logs."""

    _token = re.compile(r"(token=)[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._token.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args)
        record.msg = self._token.sub(r"\1[redacted]", str(record.msg))
        return True


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Starlette:
    """The app and, unless `runtime` is given (its owner then starts and
    stops its hub and jobs), the process's runtime: the lifespan opens the
    database and starts the hub and the in-process job runner."""
    settings = settings or Settings.from_env()
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    logging.getLogger("twilio").setLevel(logging.WARNING)  # it logs every request's headers at INFO
    redis = jobs = None
    if runtime is None:
        redis = Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=1) if settings.redis_url else None
        # With Redis, `clinicportal worker` runs the jobs; without, this process does.
        jobs = None if settings.redis_url else InProcessRunner(settings)
        runtime = Runtime.build(
            settings,
            limiter=RedisRateLimiter(redis) if redis else None,
            hub=live_hub.build(settings.redis_url, prepare=live.prepare_delivery),
            wake_jobs=jobs.wake if jobs else no_job_runner,
        )
        owned_hub = runtime.hub
    else:
        owned_hub = None

    @asynccontextmanager
    async def lifespan(app: Starlette):
        await init_db(settings.database_url)
        if owned_hub is not None:
            await owned_hub.start()
        if jobs is not None:
            await jobs.start()
        # Everything loaded so far (modules, the schema, the ORM) lives as
        # long as the process: keep it out of the full collections, which
        # otherwise stall every live fan-out they land in.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if jobs is not None:
                await jobs.stop()
            if owned_hub is not None:
                await owned_hub.stop()
            await close_db()
            if redis is not None:
                await redis.aclose()

    graphql = GraphQLApp(
        build_schema(settings),
        runtime,
        graphql_ide=None if settings.production else "graphiql",
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.ws_max_subscriptions,
        allowed_origins=settings.ws_allowed_origins,
        # Logo uploads (GraphQL multipart request spec). Only with a bearer
        # credential: see GraphQLApp.get_context.
        multipart_uploads_enabled=True,
    )

    async def health(request: Request) -> JSONResponse:
        hub = runtime.hub
        return JSONResponse({"status": "ok", "liveSubscribers": hub.subscriber_count if hub else 0})

    async def twilio_webhook(request: Request) -> Response:
        """Twilio's status callbacks (`/webhooks/twilio`) and inbound
        messages (`/webhooks/twilio/inbound`)."""
        ip = request.client.host if request.client else "unknown"
        if await runtime.limiter.hit(f"twilio-webhook:{ip}", TWILIO_WEBHOOKS_PER_MINUTE, 60) is not None:
            return Response(status_code=429)
        # Twilio posts application/x-www-form-urlencoded; the signature covers every field.
        params = dict(parse_qsl((await request.body()).decode(errors="replace"), keep_blank_values=True))
        query = f"?{request.url.query}" if request.url.query else ""
        url = f"{settings.public_api_url}{request.url.path}{query}"
        signature = request.headers.get("x-twilio-signature")
        if request.url.path.endswith("/inbound"):
            outcome = await twilio_webhooks.inbound_message(url, params, signature)
        else:
            outcome = await twilio_webhooks.status_callback(request.query_params.get("m"), url, params, signature)
        if outcome is twilio_webhooks.Outcome.FORBIDDEN:
            return Response("Invalid signature.", status_code=403)
        return Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', media_type="text/xml")

    # A multipart body carries the logo and a little form data besides.
    upload_bytes = max(settings.max_body_bytes, settings.logo_max_bytes + 64 * 1024)
    uploads = Middleware(_uploads_may_be_larger, max_upload_bytes=upload_bytes)
    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/webhooks/twilio", twilio_webhook, methods=["POST"]),
            Route("/webhooks/twilio/inbound", twilio_webhook, methods=["POST"]),
            Route("/graphql", graphql, methods=["GET", "POST"], middleware=[uploads]),
            Route("/media/{name}", media, methods=["GET", "HEAD"]),
            WebSocketRoute("/graphql", graphql),
            # The reference portal, booking page and practitioner calendar.
            Route("/p/{slug}", pages.portal_without_slash),
            Route("/p/{slug}/", pages.page("portal.html")),
            Route("/p/{slug}/book", pages.page("book.html")),
            Route("/p/{slug}/consent", pages.page("consent.html")),
            Route("/p/{slug}/reset-password", pages.page("reset-password.html")),
            Route("/calendar", pages.page("calendar.html")),
            Mount("/assets", pages.assets(), name="assets"),
        ],
        lifespan=lifespan,
        # Starlette answers 413 to a body over the limit, declared or read.
        max_body_size=settings.max_body_bytes,
    )
    app.state.runtime = runtime
    return app
