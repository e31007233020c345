"""`create_app(settings)`: the API server put together from web/. No
business rules."""

from __future__ import annotations

import logging
from datetime import timedelta

from starlette.applications import Starlette
from starlette.middleware import Middleware
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from portal.operations import page_documents
from resolvers.core.runtime import Runtime
from schema import build_schema
from schema.documents import Documents
from settings import Settings
from web.graphql_app import GraphQLApp
from web.middleware import RedactTokens
from web.request_ids import RequestIds
from web.routes import routes
from web.services import Services, database_only
from web.tracing import tracer_provider, tracing_ends_with


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Starlette:
    """The app and, unless `runtime` is given (its owner then starts and
    stops its hub and jobs), the process's runtime, which the lifespan
    starts and stops with the database."""
    settings = settings or Settings.from_env()
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    logging.getLogger("twilio").setLevel(logging.WARNING)  # it logs every request's headers at INFO
    if runtime is None:
        services = Services(settings)
        runtime, lifespan = services.runtime, lambda app: services.running()  # noqa: E731
    else:
        lifespan = lambda app: database_only(settings)  # noqa: E731
    traces = tracer_provider(settings)
    graphql = GraphQLApp(
        build_schema(settings, traces),
        runtime,
        # The pages' documents, sent by id; with TRUSTED_DOCUMENTS_ONLY the only ones that run.
        Documents({d.id: d.text for d in page_documents()}, trusted_only=settings.trusted_documents_only),
        graphql_ide=None if settings.production else "graphiql",
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.ws_max_subscriptions,
        allowed_origins=settings.ws_allowed_origins,
        # Logo uploads (GraphQL multipart request spec). Only with a bearer
        # credential: see GraphQLApp.get_context.
        multipart_uploads_enabled=True,
    )
    app = Starlette(
        routes=routes(settings, graphql),
        middleware=[Middleware(RequestIds)],
        lifespan=tracing_ends_with(lifespan, traces),
        # Starlette answers 413 to a body over the limit, declared or read.
        max_body_size=settings.max_body_bytes,
    )
    app.state.runtime = runtime
    app.state.tracer_provider = traces
    return app
