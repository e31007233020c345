"""`/graphql` over HTTP and websocket: who is calling, resolved once per
request (or once per socket, from `connection_init`), and the request's
context."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from portal.pages import graphiql_page
from resolvers.account.credentials import bearer_token, principal_for_token
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.runtime import Runtime
from schema.context import Context
from schema.live_transport import LiveTransportWSHandler, LiveWebSocketAdapter


class Refused(Exception):
    """A request answered before GraphQL runs (a rate-limited key, a
    multipart request a browser form could have sent)."""

    def __init__(self, response: Response) -> None:
        self.response = response


def graphql_error(status: int, message: str, code: str, headers: dict | None = None, **extensions) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return JSONResponse(body, status, headers=headers)


def is_multipart(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "multipart/form-data"


def _refusal(error: DomainError) -> Response:
    if error.code is ErrorCode.RATE_LIMITED:
        retry = error.retry_after_seconds or 1
        return graphql_error(429, error.message, error.code.value, {"Retry-After": str(retry)}, retryAfterSeconds=retry)
    return graphql_error(400, error.message, error.code.value)


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

    async def render_graphql_ide(self, request: Request) -> Response:
        # Strawberry's own page loads GraphiQL from a CDN; this one needs
        # nothing but the app.
        return graphiql_page()

    async def get_context(self, request, response) -> Context:
        if not isinstance(request, Request):  # a websocket: its credential comes in connection_init
            return Context(request=request, runtime=self.runtime, response=response)
        authorization = request.headers.get("authorization")
        if request.method == "POST" and is_multipart(request.headers.get("content-type")) and not authorization:
            # A browser form on another site can send multipart without a
            # preflight, but never an Authorization header: uploads need one.
            raise Refused(graphql_error(400, "Multipart requests need an Authorization header.", "UNAUTHENTICATED"))
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
