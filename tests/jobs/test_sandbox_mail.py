"""`clinicportal sandbox-mail`: the demo's SMTP server shows what it receives."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from email.message import EmailMessage

import aiosmtplib
import httpx

from tests.support.servers import ROOT, free_port


async def test_the_sandbox_command_receives_mail_and_serves_it_as_json():
    smtp_port, http_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "sandbox-mail", "--smtp-port", str(smtp_port), "--http-port", str(http_port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{http_port}/messages"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(url)).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = "clinic@example.com", "alex@demo.clinic", "Your diary"
            mail["Message-ID"] = "<row-1@example.com>"
            mail.set_content("One new appointment.")
            await aiosmtplib.send(mail, hostname="127.0.0.1", port=smtp_port)
            await aiosmtplib.send(mail, hostname="127.0.0.1", port=smtp_port)
            shown = (await client.get(url)).json()
            assert [m["subject"] for m in shown["messages"]] == ["Your diary", "Your diary"]
            assert shown["messages"][0]["rcptTos"] == ["alex@demo.clinic"]
            assert shown["messages"][0]["body"] == "One new appointment.\n"
            assert shown["duplicates"] == {"<row-1@example.com>": 2}
            assert (await client.delete(url)).status_code == 200
            assert (await client.get(url)).json()["messages"] == []
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
    assert b"Subject: Your diary" in output  # printed for whoever runs the demo
