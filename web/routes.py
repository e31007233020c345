"""Which address answers what."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from portal import operations, pages
from settings import Settings
from web import endpoints, home, i18n, metrics
from web.graphql_app import GraphQLApp
from web.middleware import uploads_may_be_larger


def routes(settings: Settings, graphql: GraphQLApp) -> list[BaseRoute]:
    # A multipart body carries the logo and a little form data besides.
    upload_bytes = max(settings.max_body_bytes, settings.logo_max_bytes + 64 * 1024)
    uploads = Middleware(uploads_may_be_larger, max_upload_bytes=upload_bytes)
    # GraphiQL's files only in development; Chart.js (the reports page's) always.
    vendor = Mount("/vendor", pages.vendored(everything=not settings.production), name="vendor")
    return [
        Route("/", home.home, methods=["GET", "HEAD"]),
        Route("/health", endpoints.health),
        Route("/metrics", metrics.metrics),  # Prometheus; loopback or METRICS_TOKEN only
        Route("/webhooks/twilio", endpoints.twilio_webhook, methods=["POST"]),
        Route("/webhooks/twilio/inbound", endpoints.twilio_webhook, methods=["POST"]),
        Route("/graphql", graphql, methods=["GET", "POST"], middleware=[uploads]),
        Route("/media/{name}", endpoints.media, methods=["GET", "HEAD"]),
        WebSocketRoute("/graphql", graphql),
        # The reference portal, booking page, practitioner calendar and reports.
        Route("/p/{slug}", pages.portal_without_slash),
        Route("/p/{slug}/", pages.page("portal.html")),
        Route("/p/{slug}/book", pages.page("book.html")),
        Route("/p/{slug}/consent", pages.page("consent.html")),
        Route("/p/{slug}/documents", pages.page("documents.html")),
        Route("/p/{slug}/waitlist", pages.page("waitlist.html")),  # a waitlist offer's claim link
        Route("/p/{slug}/reset-password", pages.page("reset-password.html")),
        Route("/calendar", pages.page("calendar.html")),
        Route("/reports", pages.page("reports.html")),
        Route("/i18n/portal.json", i18n.portal_catalogue, methods=["GET", "HEAD"]),  # the pages' texts
        Route("/assets/graphql/{script}.js", operations.documents_module, methods=["GET", "HEAD"]),
        Mount("/assets", pages.assets(), name="assets"),
        vendor,
    ]
