"""Shared set-up for the benchmarks: a scratch PostgreSQL database migrated
exactly as the tests do it, the ORM and the runtime configured for it, a
clinic to work on, and the statistics the reports print."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import statistics
import time
import uuid
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import AsyncIterator, Awaitable, Callable, Iterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base import executor

from models import Clinic, Practitioner, PractitionerTreatment, RosterEntry, Treatment
from models.db import close_db, init_db, tortoise_config
from realtime import hub as live_hub
from realtime.events import ChannelLog
from realtime.relay import Relay
from resolvers.core.runtime import Runtime
from settings import Settings

DEFAULT_PG_BASE = "postgres://postgres@127.0.0.1:5432/test"
# Tortoise's asyncpg client reads `minsize`/`maxsize` from the URL's query
# (tortoise/backends/base_postgres/client.py; the default maxsize is 5).
DEFAULT_POOL_MAXSIZE = 20

BENCH_SETTINGS = Settings(argon2_time_cost=1, argon2_memory_kib=1024)


def pg_base() -> str:
    """The server the scratch databases are created on (trust auth on CI
    machines): BENCH_DATABASE_URL, read when a benchmark starts."""
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_PG_BASE


def _admin_dsn() -> str:
    return urlunsplit(urlsplit(pg_base())._replace(scheme="postgresql", query=""))


def database_url(name: str, pool_maxsize: int) -> str:
    parts = urlsplit(pg_base())
    query = urlencode({"minsize": 1, "maxsize": pool_maxsize})
    return urlunsplit(parts._replace(path=f"/{name}", query=query))


async def migrate(url: str) -> None:
    """As tests/conftest.py does: tortoise's own migrate API."""
    from tortoise.migrations.api.migrate import migrate as run_migrations

    await run_migrations(config=tortoise_config(url))
    await Tortoise.close_connections()


@asynccontextmanager
async def scratch_database(label: str, *, pool_maxsize: int = DEFAULT_POOL_MAXSIZE) -> AsyncIterator[Runtime]:
    """A fresh, migrated database with the ORM and a runtime with an
    in-memory hub ready (its settings name the database); dropped on the
    way out, whatever happened."""
    name = f"clinicportal_bench_{label}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(_admin_dsn())
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = database_url(name, pool_maxsize)
    executor.EXECUTOR_CACHE.clear()
    try:
        await migrate(url)
        hub = live_hub.build(None, ChannelLog())
        relay = Relay(hub)
        runtime = Runtime.build(replace(BENCH_SETTINGS, database_url=url), hub=hub, wake_relay=relay.wake)
        await init_db(url)
        await hub.start()
        await relay.start()
        yield runtime
    finally:
        try:
            await relay.stop()
            await hub.stop()
            await close_db()
        finally:
            admin = await asyncpg.connect(_admin_dsn())
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


@dataclass
class World:
    clinic: Clinic
    treatment: Treatment
    practitioners: list[Practitioner]


async def create_clinic(
    slug: str,
    practitioners: int,
    *,
    workdays: range = range(6),
    hours: tuple[int, int] = (9 * 60, 18 * 60),
) -> World:
    """A Europe/London clinic (15-minute steps, 180-day horizon, 60 minutes'
    notice) whose practitioners all offer one 60-minute treatment with a
    15-minute buffer after, rostered on `workdays` between `hours`."""
    clinic = await Clinic.create(
        slug=slug,
        name=f"Bench {slug}",
        timezone="Europe/London",
        slot_step_minutes=15,
        booking_horizon_days=180,
        booking_min_notice_minutes=60,
    )
    treatment = await Treatment.create(
        clinic=clinic, name="Facial", duration_minutes=60, buffer_after_minutes=15, price=Decimal("65.00")
    )
    staff = [Practitioner(clinic_id=clinic.id, name=f"Practitioner {i:02d}") for i in range(practitioners)]
    await Practitioner.bulk_create(staff)
    await PractitionerTreatment.bulk_create(
        [PractitionerTreatment(clinic_id=clinic.id, practitioner_id=p.id, treatment_id=treatment.id) for p in staff]
    )
    await RosterEntry.bulk_create(
        [
            RosterEntry(clinic_id=clinic.id, practitioner_id=p.id, weekday=d, start_minute=hours[0], end_minute=hours[1])
            for p in staff
            for d in workdays
        ]
    )
    return World(clinic=clinic, treatment=treatment, practitioners=staff)


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0..100), interpolating linearly between ranks
    (numpy's default method)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else math.nan


async def timed(call: Callable[[], Awaitable[object]]) -> tuple[float, object]:
    """Seconds taken by one awaited call, and its result."""
    started = time.perf_counter()
    result = await call()
    return time.perf_counter() - started, result


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    line = lambda row: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))  # noqa: E731
    return "\n".join([line(cells[0]), "  ".join("-" * w for w in widths)] + [line(r) for r in cells[1:]])


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


# What counts as a statement: everything but BEGIN and COMMIT.
SQL_VERBS = {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "SAVEPOINT", "RELEASE", "ROLLBACK"}


class StatementLog(logging.Handler):
    """The SQL Tortoise runs (its db_client logger, at DEBUG), but the event
    relay's own polling; BEGIN and COMMIT are not SQL statements here."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        task = asyncio.current_task()
        if task is not None and task.get_name() == "event-relay":
            return
        words = record.getMessage().split(None, 1)
        if words and words[0].upper() in SQL_VERBS:
            self.statements.append(record.getMessage().strip())


@contextmanager
def sql_statements() -> Iterator[list[str]]:
    """Collects the SQL Tortoise runs inside the block (its db_client
    logger, at DEBUG): what the benchmarks count, and the tests assert."""
    logger = logging.getLogger("tortoise.db_client")
    handler, level = StatementLog(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
