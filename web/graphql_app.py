"""`/graphql` over HTTP and websocket: who is calling, resolved once per
request (or once per socket, from `connection_init`), the request's
context, and the GraphQL-over-HTTP rules (web/graphql_http.py) applied
through strawberry's public hooks."""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from portal.pages import graphiql_page
from resolvers.account.credentials import bearer_token, principal_for_token
from resolvers.core import clinic_cache
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.ratelimit import network
from resolvers.core.runtime import Runtime
from schema.context import Context
from schema.documents import DocumentRefused, Documents
from schema.live_transport import LiveTransportWSHandler, LiveWebSocketAdapter
from web.graphql_http import BAD_REQUEST, JSON, Exchange, graphql_error, media_type_of, response_media_type

UPLOAD = "multipart/form-data"


class Refused(Exception):
    """A request answered before GraphQL runs (an unacceptable Accept
    header, an invalid credential, a rate-limited key, a multipart request
    a browser form could have sent)."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _refusal(exchange: Exchange, error: DomainError) -> Response:
    if error.code is ErrorCode.RATE_LIMITED:
        retry = error.retry_after_seconds or 1
        return exchange.refusal(
            429, error.message, error.code.value, {"Retry-After": str(retry)}, retryAfterSeconds=retry
        )
    if error.code is ErrorCode.UNAUTHENTICATED:
        status = exchange.refusal_status(401)
        challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else None
        return exchange.refusal(status, error.message, error.code.value, challenge)
    return exchange.refusal(400, error.message, error.code.value)


def _bad_request(request: Request, error: HTTPException) -> Response:
    """strawberry's refusal of a request's HTTP form, as a GraphQL error.
    A mutation over GET is a 405 that points at POST."""
    cause = error.__cause__
    if isinstance(cause, InvalidOperationTypeError) and cause.operation_type is OperationType.MUTATION:
        return graphql_error(405, "Mutations are sent with POST.", BAD_REQUEST, {"Allow": "POST"})
    allow = {"Allow": "GET, POST"} if error.status_code == 405 else None
    return graphql_error(error.status_code, error.reason, BAD_REQUEST, allow)


class GraphQLApp(GraphQL):
    graphql_transport_ws_handler_class = LiveTransportWSHandler
    websocket_adapter_class = LiveWebSocketAdapter

    def __init__(self, schema, runtime: Runtime, documents: Documents | None = None, **kwargs) -> None:
        super().__init__(schema, **kwargs)
        self.runtime = runtime
        # Read by the websocket handler too (schema/live_transport.py).
        self.documents = documents or Documents({})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            with clinic_cache.request_scope():  # what the process keeps of a clinic: checked once per request
                response = await self.run(request)
        except HTTPException as error:
            response = _bad_request(request, error)
        except Refused as refused:
            response = refused.response
        except DocumentRefused as refused:  # after get_context: the exchange is negotiated
            response = request.state.graphql.refusal(400, refused.message, refused.code)
        await response(scope, receive, send)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        response = await super().run(request, context, root_value)
        exchange = getattr(request.state, "graphql", None) if isinstance(request, Request) else None
        if exchange is not None and exchange.answered:
            return exchange.answer(response)
        return response

    def should_render_graphql_ide(self, request) -> bool:
        # A GET naming a persisted document is a request, not a visit.
        if not super().should_render_graphql_ide(request):
            return False
        params = request.query_params
        return "documentId" not in params and "extensions" not in params

    async def render_graphql_ide(self, request: Request) -> Response:
        # Strawberry's own page loads GraphiQL from a CDN; this one needs
        # nothing but the app.
        return graphiql_page()

    async def get_context(self, request, response) -> Context:
        if not isinstance(request, Request):  # a websocket: its credential comes in connection_init
            return Context(request=request, runtime=self.runtime, response=response)
        exchange = request.state.graphql = self._negotiate(request)
        authorization = request.headers.get("authorization")
        if request.method == "POST" and media_type_of(request.headers.get("content-type")) == UPLOAD and not authorization:
            # A browser form on another site can send multipart without a
            # preflight, but never an Authorization header: uploads need one.
            raise Refused(exchange.refusal(400, "Multipart requests need an Authorization header.", "UNAUTHENTICATED"))
        try:
            principal = await principal_for_token(self.runtime, bearer_token(authorization))
        except DomainError as error:
            raise Refused(_refusal(exchange, error)) from None
        return Context(request=request, runtime=self.runtime, response=response, principal=principal)

    def _negotiate(self, request: Request) -> Exchange:
        media_type = response_media_type(request.headers.get("accept"))
        if media_type is None:
            if self.should_render_graphql_ide(self.request_adapter_class(request)):
                return Exchange(JSON)  # GraphiQL's page (or its 404 in production)
            message = "Accept application/graphql-response+json or application/json."
            raise Refused(graphql_error(406, message, BAD_REQUEST))
        return Exchange(media_type)

    async def parse_http_body(self, request_adapter):
        """A POST body is JSON (a GraphQL request object, not a string,
        number, boolean or null) or, for uploads, multipart."""
        if request_adapter.method == "POST":
            media_type = media_type_of(request_adapter.content_type)
            if media_type == JSON:
                await self._require_json_object(request_adapter)
            elif not (self.multipart_uploads_enabled and media_type == UPLOAD):
                message = "Send the request as application/json (or multipart/form-data with a file)."
                raise HTTPException(415, message)
        request_data = await super().parse_http_body(request_adapter)
        if isinstance(request_data, list):
            for item in request_data:
                item.query = self.documents.text({"query": item.query, "extensions": item.extensions})
            return request_data
        if not isinstance(request_data.operation_name, str | None):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
        request = {"query": request_data.query, "extensions": request_data.extensions}
        if request_data.query is None:  # a persisted document's id, which strawberry does not read
            request |= {k: v for k, v in (await self._request_object(request_adapter)).items() if k == "documentId"}
        request_data.query = self.documents.text(request)
        return request_data

    async def _request_object(self, request_adapter) -> dict:
        if request_adapter.method == "GET":
            return dict(request_adapter.query_params)
        if media_type_of(request_adapter.content_type) == JSON:
            return self.parse_json(await request_adapter.get_body())
        return {}

    async def _require_json_object(self, request_adapter) -> None:
        body = (await request_adapter.get_body()).lstrip()
        if body[:1] not in (b"{", b"["):
            self.parse_json(body)  # a body that is not JSON at all says so
            raise HTTPException(400, "The request body must be a JSON object such as {\"query\": \"{ __typename }\"}.")

    async def process_result(self, request: Request, result: ExecutionResult):
        body = await super().process_result(request, result)
        return request.state.graphql.result_body(body, result)

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
            # Anonymous: the booking page watching free times, and nothing else
            # (every other stream needs a credential). A stranger can open
            # sockets in a loop: counted per network.
            settings = context.runtime.settings
            try:
                await context.runtime.check_rate(
                    f"ws:anonymous:{network(context.ip)}", settings.anonymous_ws_per_minute,
                    "Too many live connections.", window_seconds=60,
                )
            except DomainError:
                raise ConnectionRejectionError({"code": ErrorCode.RATE_LIMITED.value}) from None
        context.principal = principal
        return None
