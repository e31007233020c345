"""Serves the reference pages with the headers that keep them safe: a strict
Content-Security-Policy (no inline script, nothing from other origins but a
clinic's logo), no referrer (a booking link carries a token), no framing.
GraphiQL's page (in development), the reports page's charts and the calendar's
grid load everything from the app itself: their scripts and styles are
vendored in `portal/vendor/files/`."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
VENDORED = HERE / "vendor" / "files"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # A clinic's logo may live on its own site.
        "img-src 'self' https: data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

# GraphiQL's fonts and icons are data: URLs inside its stylesheet; its
# dialogs add a <style> element, which carries the page's nonce.
GRAPHIQL_CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def _page(name: str) -> Response:
    return FileResponse(HERE / name, headers={**SECURITY_HEADERS, "Cache-Control": "no-store"}, media_type="text/html")


def graphiql_page() -> Response:
    """GraphiQL, booted by /assets/graphiql.js from the vendored builds,
    with a fresh nonce for the styles its dialogs add."""
    nonce = secrets.token_hex(16)
    policy = GRAPHIQL_CONTENT_SECURITY_POLICY.format(nonce=nonce)
    html = (HERE / "graphiql.html").read_text().replace("{nonce}", nonce)
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": policy, "Cache-Control": "no-store"}
    return HTMLResponse(html, headers=headers)


def page(name: str):
    """A route handler serving one of the pages, with the security headers."""

    async def handler(request: Request) -> Response:
        return _page(name)

    return handler


async def portal_without_slash(request: Request) -> Response:
    return RedirectResponse(f"/p/{quote(request.path_params['slug'], safe='')}/", status_code=308)


class Assets(StaticFiles):
    """The pages' scripts, styles and images, with the same headers."""

    def file_response(self, *args, **kwargs) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-cache"
        return response


def assets() -> Assets:
    return Assets(directory=STATIC)


# The vendored files the pages need in production too (GraphiQL's only
# serve in development).
PAGE_LIBRARIES = frozenset(
    {
        "chart.umd.min.js",
        "licenses/chart.js.LICENSE.txt",
        "event-calendar.min.js",
        "event-calendar.min.css",
        "licenses/@event-calendar/build.LICENSE.txt",
    }
)


class SomeAssets(Assets):
    """Only the named files of a folder; anything else is not found."""

    def __init__(self, *, only: frozenset[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.only = only

    def lookup_path(self, path: str):
        if path not in self.only:
            return "", None
        return super().lookup_path(path)


def vendored(everything: bool = True) -> Assets:
    """The vendored builds with their licences: GraphiQL, React, ReactDOM,
    Chart.js and EventCalendar; or (not `everything`) only the pages' libraries."""
    if everything:
        return Assets(directory=VENDORED)
    return SomeAssets(directory=VENDORED, only=PAGE_LIBRARIES)
