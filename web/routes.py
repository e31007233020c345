"""Which address answers what."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from portal import pages
from settings import Settings
from web import endpoints, home, metrics
from web.graphql_app import GraphQLApp
from web.middleware import uploads_may_be_larger


def routes(settings: Settings, graphql: GraphQLApp) -> list[BaseRoute]:
    # A multipart body carries the logo and a little form data besides.
    upload_bytes = max(settings.max_body_bytes, settings.logo_max_bytes + 64 * 1024)
    uploads = Middleware(uploads_may_be_larger, max_upload_bytes=upload_bytes)
    development = [] if settings.production else [Mount("/vendor", pages.vendored(), name="vendor")]  # GraphiQL's
    return [
        Route("/", home.home, methods=["GET", "HEAD"]),
        Route("/health", endpoints.health),
        Route("/metrics", metrics.metrics),  # Prometheus; loopback or METRICS_TOKEN only
        Route("/webhooks/twilio", endpoints.twilio_webhook, methods=["POST"]),
        Route("/webhooks/twilio/inbound", endpoints.twilio_webhook, methods=["POST"]),
        Route("/graphql", graphql, methods=["GET", "POST"], middleware=[uploads]),
        Route("/media/{name}", endpoints.media, methods=["GET", "HEAD"]),
        WebSocketRoute("/graphql", graphql),
        # The reference portal, booking page and practitioner calendar.
        Route("/p/{slug}", pages.portal_without_slash),
        Route("/p/{slug}/", pages.page("portal.html")),
        Route("/p/{slug}/book", pages.page("book.html")),
        Route("/p/{slug}/consent", pages.page("consent.html")),
        Route("/p/{slug}/waitlist", pages.page("waitlist.html")),  # a waitlist offer's claim link
        Route("/p/{slug}/reset-password", pages.page("reset-password.html")),
        Route("/calendar", pages.page("calendar.html")),
        Mount("/assets", pages.assets(), name="assets"),
        *development,
    ]
