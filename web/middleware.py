"""What wraps the endpoints: the larger body limit of uploads, and the
access log's redaction of tokens."""

from __future__ import annotations

import logging
import re

from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from web.graphql_http import media_type_of


def uploads_may_be_larger(app: ASGIApp, max_upload_bytes: int) -> ASGIApp:
    """A multipart upload's body may be up to `max_upload_bytes`: Starlette's
    limit nearest the endpoint replaces the application's for the request."""
    uploads = RequestBodyLimitMiddleware(app, max_body_size=max_upload_bytes)

    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        upload = scope["type"] == "http" and media_type_of(Headers(scope=scope).get("content-type")) == "multipart/form-data"
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
