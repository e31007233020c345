"""An event log kept in a list, for the hub's own tests: the hub only needs
a channel's messages by position (realtime.hub.Log); the database log
(realtime.events.ChannelLog) is exercised by the live tests."""

from __future__ import annotations

import json


class ListLog:
    def __init__(self) -> None:
        self.kept: dict[str, list[str]] = {}

    def append(self, channel: str, text: str) -> str:
        """Logs `text` as the channel's next message and answers the message."""
        kept = self.kept.setdefault(channel, [])
        message = json.dumps({"position": len(kept) + 1, "text": text})
        kept.append(message)
        return message

    def position(self, message: str) -> int:
        return json.loads(message)["position"]

    async def heads(self, channels: list[str]) -> dict[str, int]:
        return {channel: len(self.kept.get(channel, [])) for channel in channels}

    async def after(self, channel: str, position: int) -> list[str]:
        return self.kept.get(channel, [])[position:]


def text(item) -> str:
    """The text of what a subscriber was offered: (position, Delivery) without `prepare`."""
    _, delivery = item
    return json.loads(delivery.message)["text"]
