"""The process's broadcast hub: in memory for one process, Redis pub/sub
for many. Channel names always carry the clinic."""

from __future__ import annotations

import uuid

from broadcaster import Broadcast

_broadcast: Broadcast | None = None


def calendar_channel(clinic_id: uuid.UUID | str) -> str:
    return f"clinic:{clinic_id}:calendar"


async def start(redis_url: str | None) -> Broadcast:
    global _broadcast
    _broadcast = Broadcast(redis_url or "memory://")
    await _broadcast.connect()
    return _broadcast


async def stop() -> None:
    global _broadcast
    if _broadcast is not None:
        await _broadcast.disconnect()
        _broadcast = None


def current() -> Broadcast | None:
    return _broadcast
