"""The per-request context: who is calling, the process's runtime (settings,
hasher, rate limiter, live hub, job waker) and the request's loaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from resolvers.core import i18n
from resolvers.core.principal import ANONYMOUS, Principal
from resolvers.core.runtime import Runtime
from schema.loaders import Loaders


@dataclass
class Context:
    request: Request | WebSocket
    runtime: Runtime
    response: Any = None
    principal: Principal = ANONYMOUS
    loaders: Loaders = None  # type: ignore[assignment]  # built in __post_init__ with the runtime's cache
    connection_params: dict[str, Any] | None = None
    live_cursor: asyncio.Future[str] | None = None  # schema/cursors.py
    slot_watches: int = 0  # availableSlotsChanged streams open on this connection

    def __post_init__(self) -> None:
        if self.loaders is None:
            self.loaders = Loaders(self.runtime.clinics)

    @property
    def language(self) -> str:
        """The language the caller's page is in (its Accept-Language), for a
        client the request creates or does not know yet; one of
        SUPPORTED_LANGUAGES, else English."""
        code = i18n.negotiate(self.request.headers.get("accept-language"))
        return code if code in self.runtime.settings.supported_languages else i18n.SOURCE_LANGUAGE

    @property
    def ip(self) -> str:
        client = self.request.client if self.request is not None else None  # None: run in process
        return client.host if client else "unknown"


Info = StrawberryInfo[Context, None]
