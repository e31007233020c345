"""A local stand-in for Twilio's Messages API, for the demo and the tests.

It speaks enough of the real API for the `twilio` library
(`POST/GET /2010-04-01/Accounts/{sid}/Messages.json`, basic auth, Twilio's
JSON bodies with `SM...` sids), records what it accepted
(`GET /_sandbox/messages`, `DELETE` to forget), and can be told to misbehave
for a while and then recover:

    POST /_sandbox/faults {"mode": "500" | "429" | "hang" | "latency" | "none",
                           "seconds": 5, "count": 3, "delay": 0.2}

`500`/`429` answer that error; `hang` answers nothing for `delay` seconds
(default 30) and accepts nothing, like a network black hole; `latency` waits
`delay` seconds before accepting, and accepts nothing if the caller hung up
meanwhile. A fault lasts `seconds`, or for `count` requests, whichever is
given. `clinicportal sandbox` serves it (see `start_twilio_sandbox`)."""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from jobs.listening import bound_socket, serve_app
from models.base import utcnow

DEFAULT_HOST = "127.0.0.1"
DEFAULT_TWILIO_PORT = 8010
API_VERSION = "2010-04-01"


@dataclass
class Fault:
    mode: str = "none"
    until: float = 0.0  # time.monotonic()
    remaining: int = 0
    delay: float = 30.0

    def active(self) -> bool:
        if self.mode == "none":
            return False
        if self.remaining > 0:
            self.remaining -= 1
            return True
        return time.monotonic() < self.until


@dataclass
class TwilioSandbox:
    messages: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0  # every Messages.json POST, accepted or not
    fault: Fault = field(default_factory=Fault)
    recovered_at: float | None = None  # monotonic time the last fault ended (by time)

    def set_fault(self, mode: str, seconds: float | None = None, count: int | None = None, delay: float | None = None) -> None:
        if mode not in ("none", "500", "429", "hang", "latency"):
            raise ValueError(f"unknown fault mode {mode!r}")
        self.fault = Fault(
            mode=mode,
            until=time.monotonic() + seconds if seconds else 0.0,
            remaining=count or 0,
            delay=delay if delay is not None else (0.2 if mode == "latency" else 30.0),
        )
        self.recovered_at = time.monotonic() + seconds if seconds else None

    def bodies_to(self, number: str) -> list[str]:
        return [m["body"] for m in self.messages if m["to"] == number]

    # --- the Messages API ------------------------------------------------

    @staticmethod
    def _auth_ok(request: Request, sid: str) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == sid and bool(password)

    @staticmethod
    def _error(status: int, code: int, message: str) -> JSONResponse:
        return JSONResponse(
            {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status},
            status,
        )

    async def create_message(self, request: Request) -> Response:
        sid = request.path_params["sid"]
        self.requests += 1
        if not self._auth_ok(request, sid):
            return self._error(401, 20003, "Authenticate")
        mode = self.fault.mode if self.fault.active() else "none"
        if mode == "500":
            return self._error(500, 20500, "Internal Server Error")
        if mode == "429":
            return self._error(429, 20429, "Too Many Requests")
        if mode == "hang":
            await asyncio.sleep(self.fault.delay)
            return self._error(503, 20503, "Service Unavailable")
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        if mode == "latency":
            await asyncio.sleep(self.fault.delay)
            if await request.is_disconnected():
                return Response(status_code=499)
        to, body = form.get("To"), form.get("Body")
        sender, service = form.get("From"), form.get("MessagingServiceSid")
        if not to or not body or not (sender or service):
            return self._error(400, 21604, "A 'To' phone number, a 'Body' and a 'From' or 'MessagingServiceSid' are required.")
        if str(to).startswith("+1500555000"):  # Twilio's magic invalid test number
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        now = format_datetime(utcnow(), usegmt=True)
        message = {
            "account_sid": sid,
            "api_version": API_VERSION,
            "body": str(body),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": str(sender) if sender else None,
            "messaging_service_sid": str(service) if service else None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": "SM" + secrets.token_hex(16),
            "status": "accepted" if service else "queued",
            "status_callback": form.get("StatusCallback"),
            "subresource_uris": {},
            "to": str(to),
        }
        message["uri"] = f"/{API_VERSION}/Accounts/{sid}/Messages/{message['sid']}.json"
        self.messages.append(message)
        return JSONResponse(message, 201)

    async def list_messages(self, request: Request) -> Response:
        sid = request.path_params["sid"]
        if not self._auth_ok(request, sid):
            return self._error(401, 20003, "Authenticate")
        to = request.query_params.get("To")
        size = min(int(request.query_params.get("PageSize", "50")), 1000)
        found = [m for m in reversed(self.messages) if m["account_sid"] == sid and (to is None or m["to"] == to)][:size]
        uri = f"/{API_VERSION}/Accounts/{sid}/Messages.json?PageSize={size}&Page=0"
        return JSONResponse(
            {
                "messages": found,
                "end": max(len(found) - 1, 0),
                "first_page_uri": uri,
                "next_page_uri": None,
                "page": 0,
                "page_size": size,
                "previous_page_uri": None,
                "start": 0,
                "uri": uri,
            }
        )

    # --- control ---------------------------------------------------------

    async def read_messages(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.messages.clear()
            self.requests = 0
            return JSONResponse({"messages": []})
        return JSONResponse({"messages": self.messages, "requests": self.requests})

    async def faults(self, request: Request) -> Response:
        spec = await request.json()
        try:
            self.set_fault(str(spec.get("mode", "none")), spec.get("seconds"), spec.get("count"), spec.get("delay"))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse({"mode": self.fault.mode})

    def app(self) -> Starlette:
        base = f"/{API_VERSION}/Accounts/{{sid}}/Messages.json"
        return Starlette(
            routes=[
                Route(base, self.create_message, methods=["POST"]),
                Route(base, self.list_messages, methods=["GET"]),
                Route("/_sandbox/messages", self.read_messages, methods=["GET", "DELETE"]),
                Route("/_sandbox/faults", self.faults, methods=["POST"]),
            ]
        )


@dataclass
class RunningSandbox:
    sandbox: TwilioSandbox
    server: uvicorn.Server
    task: asyncio.Task
    url: str

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


async def start_twilio_sandbox(host: str = DEFAULT_HOST, port: int = DEFAULT_TWILIO_PORT) -> RunningSandbox:
    """Serves a Twilio stand-in on this event loop until `stop()`; point
    TWILIO_API_BASE at the returned `url`. `PortInUse` when the port is taken."""
    sandbox = TwilioSandbox()
    server, task = await serve_app(sandbox.app(), bound_socket("the Twilio stand-in", host, port))
    return RunningSandbox(sandbox, server, task, f"http://{host}:{port}")
