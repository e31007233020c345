"""The endpoints besides `/graphql`: health, uploaded files and Twilio's
callbacks. Each reads the process's runtime from the app's state."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from resolvers.admin import portal_settings
from resolvers.core.runtime import Runtime
from resolvers.notifications import twilio_webhooks

TWILIO_WEBHOOKS_PER_MINUTE = 600  # per address: each request checks a signature


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def health(request: Request) -> JSONResponse:
    hub = _runtime(request).hub
    return JSONResponse({"status": "ok", "liveSubscribers": hub.subscriber_count if hub else 0})


async def media(request: Request) -> Response:
    """Uploaded files (clinic logos) by their random names: never a script,
    never sniffed into another type, cached for good (a new upload gets a
    new name)."""
    found = portal_settings.stored_file(_runtime(request).settings, request.path_params["name"])
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


async def twilio_webhook(request: Request) -> Response:
    """Twilio's status callbacks (`/webhooks/twilio`) and inbound messages
    (`/webhooks/twilio/inbound`)."""
    runtime = _runtime(request)
    ip = request.client.host if request.client else "unknown"
    if await runtime.limiter.hit(f"twilio-webhook:{ip}", TWILIO_WEBHOOKS_PER_MINUTE, 60) is not None:
        return Response(status_code=429)
    # Twilio posts application/x-www-form-urlencoded; the signature covers every field.
    params = dict(parse_qsl((await request.body()).decode(errors="replace"), keep_blank_values=True))
    query = f"?{request.url.query}" if request.url.query else ""
    url = f"{runtime.settings.public_api_url}{request.url.path}{query}"
    signature = request.headers.get("x-twilio-signature")
    if request.url.path.endswith("/inbound"):
        outcome = await twilio_webhooks.inbound_message(url, params, signature)
    else:
        outcome = await twilio_webhooks.status_callback(request.query_params.get("m"), url, params, signature)
    if outcome is twilio_webhooks.Outcome.FORBIDDEN:
        return Response("Invalid signature.", status_code=403)
    return Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', media_type="text/xml")
