"""The per-request context: who is calling, the process's runtime (settings,
hasher, rate limiter, live hub, job waker) and the request's loaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from resolvers.core.principal import ANONYMOUS, Principal
from resolvers.core.runtime import Runtime
from schema.loaders import Loaders


@dataclass
class Context:
    request: Request | WebSocket
    runtime: Runtime
    response: Any = None
    principal: Principal = ANONYMOUS
    loaders: Loaders = field(default_factory=Loaders)
    connection_params: dict[str, Any] | None = None
    live_cursor: asyncio.Future[str] | None = None  # schema/cursors.py
    slot_watches: int = 0  # availableSlotsChanged streams open on this connection

    @property
    def ip(self) -> str:
        client = self.request.client
        return client.host if client else "unknown"


Info = StrawberryInfo[Context, None]
