"""Listening on a port for the local stand-ins (`clinicportal sandbox`,
`sandbox-mail`, and the tests' own): a port that something else holds is
one clear `PortInUse`, raised before anything starts, instead of uvicorn's
log line and a `SystemExit` from inside a task."""

from __future__ import annotations

import asyncio
import socket

import uvicorn


class PortInUse(Exception):
    def __init__(self, what: str, host: str, port: int, reason: str) -> None:
        super().__init__(f"{what} cannot listen on {host}:{port}: {reason}")
        self.what, self.host, self.port = what, host, port


def bound_socket(what: str, host: str, port: int) -> socket.socket:
    """A TCP socket bound to `host`:`port` (as uvicorn binds one: address
    reuse on), ready for a server to listen on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise PortInUse(what, host, port, (exc.strerror or str(exc)).lower()) from None
    return sock


async def serve_app(app, sock: socket.socket) -> tuple[uvicorn.Server, asyncio.Task]:
    """Serves `app` with uvicorn on `sock` in this event loop; returns once
    it accepts connections. Stop it with `server.should_exit = True` and
    awaiting the task."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the server stopped at once")
        await asyncio.sleep(0.02)
    return server, task
