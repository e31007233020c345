"""The relay: committed events from the log to every process.

A change writes its events in its own transaction (realtime/events.py) and
wakes this process's relay after the commit; the relay also looks every
`event_relay_poll_seconds` for events another process committed but did not
relay (it was killed in between, or Redis was away). It takes the oldest
unpublished events, hands them to the hub in order and marks them
published in the same transaction: an event is published at least once,
and the hubs drop repeats by position.

Several processes run a relay; on PostgreSQL one at a time publishes (a
transaction-scoped advisory lock), so each clinic's events go out in
position order. On SQLite (one process, as a rule) a relay reads, publishes,
then marks; a hub puts anything out of turn back in order from the log."""

from __future__ import annotations

import asyncio
import logging
import random

from models import ClinicEvent
from models.db import connection, is_postgres, write_transaction
from realtime.events import AppointmentEvent
from realtime.hub import Hub
from telemetry import metrics

log = logging.getLogger(__name__)

BATCH = 500
# pg_try_advisory_xact_lock's key: the relay's, in this database.
LOCK_KEY = 0x636C696E6963_01
BUSY_RETRY_SECONDS = 0.02  # another relay is publishing: try again soon, it may not see our events


class Relay:
    def __init__(self, hub: Hub, poll_seconds: float = 1.0) -> None:
        self.hub = hub
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def wake(self) -> None:
        """After a commit that wrote events."""
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds if not failures else min(5.0, 0.2 * 2**failures))
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.drain()
                failures = 0
            except Exception as exc:  # noqa: BLE001 - the events stay unpublished; tried again soon
                failures = min(failures + 1, 5)
                log.warning("events not relayed yet (%s); retrying", exc)

    async def drain(self) -> int:
        """Publishes everything unpublished; how many events went."""
        total = 0
        while True:
            sent = await self.relay_once()
            if sent is None:
                await asyncio.sleep(BUSY_RETRY_SECONDS * random.uniform(0.5, 1.5))
                continue
            total += sent
            if sent == 0:
                return total

    async def relay_once(self) -> int | None:
        """One batch; None when another relay holds the turn."""
        if not is_postgres():
            return await self._relay_sqlite()
        async with write_transaction():
            _, rows = await connection().execute_query("SELECT pg_try_advisory_xact_lock($1)", [LOCK_KEY])
            if not rows[0][0]:
                return None
            batch = await ClinicEvent.filter(published=False).order_by("id").limit(BATCH)
            if batch:
                await self._publish(batch)
                await ClinicEvent.filter(id__in=[row.id for row in batch]).update(published=True)
        return len(batch)

    async def _relay_sqlite(self) -> int:
        # Publishing must not hold SQLite's one write lock (Redis may take
        # seconds to fail): read, publish, then mark. Two processes on one
        # file may both publish an event; the hubs drop the repeat.
        batch = await ClinicEvent.filter(published=False).order_by("id").limit(BATCH)
        if batch:
            await self._publish(batch)
            async with write_transaction():
                await ClinicEvent.filter(id__in=[row.id for row in batch]).update(published=True)
        return len(batch)

    async def _publish(self, batch: list[ClinicEvent]) -> None:
        events = [AppointmentEvent.of_row(row) for row in batch]
        await self.hub.publish([(event.channel, event.dumps()) for event in events])
        metrics.EVENTS_RELAYED.inc(len(batch))
