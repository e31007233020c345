"""A real SMTP server (aiosmtpd, the one `clinicportal sandbox-mail` runs)
for the tests, and a way to carry out queued e-mails without the runner:
the handler is called on each outbox row, as the runner would."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import pytest

from jobs.context import JobContext
from jobs.handlers import HANDLERS
from jobs.sandbox_mail import MailSandbox, start_mail_sandbox
from models import OutboxMessage, OutboxStatus, utcnow
from settings import Settings
from tests.support.servers import free_port

LINK = re.compile(r"https?://\S+/consent\?token=([\w\-%]+)")


@pytest.fixture
async def mailbox(demo, runtime) -> MailSandbox:
    """An SMTP server on a free port, and the test runtime's settings pointing at it."""
    sandbox = await asyncio.to_thread(start_mail_sandbox, "127.0.0.1", free_port())
    runtime.settings = replace(runtime.settings, smtp_host=sandbox.host, smtp_port=sandbox.port)
    yield sandbox
    await asyncio.to_thread(sandbox.stop)


async def queued(kind: str = "email", **filters) -> list[OutboxMessage]:
    return await OutboxMessage.filter(kind=kind, status=OutboxStatus.PENDING, **filters).order_by("created_at")


async def deliver(rows: list[OutboxMessage], settings: Settings) -> list[dict | None]:
    """Run the handler for each row and mark it sent, as the runner does."""
    results = []
    async with JobContext(settings) as jobs:
        for row in rows:
            result = await HANDLERS[row.kind](row, jobs)
            await OutboxMessage.filter(id=row.id).update(status=OutboxStatus.SENT, sent_at=utcnow(), result=result)
            results.append(result)
    return results


def consent_token(text: str) -> str:
    found = LINK.search(text)
    assert found, f"no consent link in {text!r}"
    return found.group(1)
