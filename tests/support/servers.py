"""Real server processes for the tests that need them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# A port this process keeps bound, and never listens on, while the tests run:
# a connection to it is refused at once, and no other program can take it.
_REFUSING = socket.socket()
_REFUSING.bind(("127.0.0.1", 0))
REFUSING_PORT = _REFUSING.getsockname()[1]
# What a process the tests start sends its e-mail and SMS to, and the Redis
# it uses, unless its test gives its own: never the settings' defaults (an
# SMTP server on a fixed port, Twilio itself) nor whatever the shell names.
NO_STAND_INS = {
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": str(REFUSING_PORT),
    "TWILIO_API_BASE": f"http://127.0.0.1:{REFUSING_PORT}",
    "REDIS_URL": "",
}


def process_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of a process the tests start: this one's, with
    `NO_STAND_INS` under what the test gives."""
    return {**os.environ, **NO_STAND_INS, **env}


@dataclass
class Server:
    url: str
    log: Path
    pid: int

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.asynccontextmanager
async def running_server(env: dict[str, str], workers: int = 1, port: int | None = None) -> AsyncIterator[Server]:
    """`clinicportal serve` in a child process, until the block ends (on
    `port` when given: a restart keeps its address)."""
    port = port or free_port()
    log = Path(tempfile.mkstemp(prefix="clinicportal-server-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", str(workers)],
            cwd=ROOT,
            env=process_env(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(150):
                if process.poll() is not None:
                    raise RuntimeError(f"server exited: {log.read_text()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{url}/health")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"server did not start: {log.read_text()}")
        yield Server(url, log, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.unlink(missing_ok=True)
