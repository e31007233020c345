"""A local SMTP server that keeps what it receives, for the demo and the
tests: `clinicportal sandbox-mail` runs it with a JSON view over HTTP, and
`start_mail_sandbox()` starts it from Python (tests, or a combined sandbox
command). Nothing leaves the machine.

It can also refuse recipients, permanently (550) or for now (450), so the
e-mail job's handling of refusals is exercised against real SMTP."""

from __future__ import annotations

import errno
import os
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from jobs.listening import PortInUse


@dataclass
class MailRecorder:
    """The aiosmtpd handler: records each accepted message."""

    limit: int = 1000
    echo: bool = False
    refuse_permanently: set[str] = field(default_factory=set)
    refuse_for_now: set[str] = field(default_factory=set)
    messages: deque = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.messages = deque(maxlen=self.limit)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options) -> str:
        if address.lower() in self.refuse_permanently:
            return "550 5.1.1 No such mailbox here"
        if address.lower() in self.refuse_for_now:
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        part = parsed.get_body(preferencelist=("plain",))
        record = {
            "receivedAt": datetime.now(UTC).isoformat(),
            "mailFrom": envelope.mail_from,
            "rcptTos": list(envelope.rcpt_tos),
            "from": str(parsed.get("From", "")),
            "to": str(parsed.get("To", "")),
            "subject": str(parsed.get("Subject", "")),
            "messageId": str(parsed.get("Message-ID", "")),
            "body": part.get_content().replace("\r\n", "\n") if part is not None else "",
        }
        with self._lock:
            self.messages.append(record)
        if self.echo:
            print(_printable(record), flush=True)
        return "250 Message accepted for delivery"

    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages)

    def duplicates(self) -> dict[str, int]:
        """Message-IDs received more than once, with their counts."""
        counts = Counter(m["messageId"] for m in self.received())
        return {mid: n for mid, n in counts.items() if n > 1}

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


def _printable(record: dict[str, Any]) -> str:
    rule = "-" * 72
    return (
        f"{rule}\nTo: {', '.join(record['rcptTos'])}\nFrom: {record['from']}\nSubject: {record['subject']}\n"
        f"Message-ID: {record['messageId']}\n\n{record['body'].rstrip()}\n{rule}"
    )


@dataclass
class MailSandbox:
    host: str
    port: int
    recorder: MailRecorder
    controller: Controller

    def stop(self) -> None:
        self.controller.stop()


def start_mail_sandbox(host: str = "127.0.0.1", port: int = 1025, *, echo: bool = False) -> MailSandbox:
    """Starts the SMTP server on its own thread and returns once it accepts
    connections. Point SMTP_HOST/SMTP_PORT at it."""
    recorder = MailRecorder(echo=echo)
    controller = Controller(recorder, hostname=host, port=port)
    try:
        controller.start()
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        raise PortInUse("the SMTP sandbox", host, port, os.strerror(exc.errno).lower()) from None
    return MailSandbox(host=host, port=port, recorder=recorder, controller=controller)


def http_app(sandbox: MailSandbox):
    """`GET /messages`: what the sandbox received, newest last, as JSON;
    `DELETE /messages` forgets it."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def messages(request: Request) -> JSONResponse:
        if request.method == "DELETE":
            sandbox.recorder.clear()
            return JSONResponse({"deleted": True})
        return JSONResponse(
            {"messages": sandbox.recorder.received(), "duplicates": sandbox.recorder.duplicates()}
        )

    return Starlette(routes=[Route("/messages", messages, methods=["GET", "DELETE"])])
