"""Database connection: the Tortoise config built from a URL, start-up and
shut-down, and the transaction every booking write goes through."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any, AsyncIterator

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models import MODEL_MODULES

SQLITE_BUSY_TIMEOUT_MS = 15000
POSTGRES_POOL_SIZE = 10  # per process; `?maxsize=N` in DATABASE_URL overrides


async def _reset_pooled_connection(conn) -> None:
    """What a PostgreSQL connection needs on its way back to the pool: no
    open transaction. The app sets no session state (SET, LISTEN, advisory
    locks), so asyncpg's full reset, one more round trip after every
    statement, is not needed."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


def tortoise_config(database_url: str) -> dict[str, Any]:
    connection = expand_db_url(database_url)
    if connection["engine"] == "tortoise.backends.asyncpg":
        connection["credentials"]["reset"] = _reset_pooled_connection
        connection["credentials"].setdefault("maxsize", POSTGRES_POOL_SIZE)
    if connection["engine"] == "tortoise.backends.sqlite":
        connection["engine"] = "models.sqlite_immediate"
        connection["credentials"].setdefault("busy_timeout", SQLITE_BUSY_TIMEOUT_MS)
        connection["credentials"].setdefault("journal_mode", "WAL")
        connection["credentials"].setdefault("foreign_keys", "ON")
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "migrations": "models.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(database_url: str) -> None:
    if database_url.startswith("sqlite://"):
        from pathlib import Path

        path = database_url.removeprefix("sqlite://").split("?")[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE


def is_deadlock(exc: BaseException) -> bool:
    """PostgreSQL broke a deadlock by failing this statement. Inserts wait on
    each other's uncommitted rows under an exclusion constraint; when the
    transaction they all waited for rolls back, two of them can be left
    waiting on each other, and one is failed: it lost the race for the slot."""
    return getattr(exc, "sqlstate", None) == DEADLOCK_DETECTED


def is_postgres() -> bool:
    return connection().capabilities.dialect == "postgres"


@asynccontextmanager
async def write_transaction() -> AsyncIterator[BaseDBAsyncClient]:
    """A transaction that will write: on SQLite it holds the write lock from
    its first statement (see models/sqlite_immediate.py); on PostgreSQL the
    constraints and conditional updates decide races."""
    async with in_transaction("default") as conn:
        yield conn


_deferred: ContextVar[list[Model] | None] = ContextVar("deferred_inserts", default=None)


@contextmanager
def deferred_inserts() -> Iterator[list[Model]]:
    """Within the block `insert` collects new rows in the list instead of
    writing each at once; the block's owner writes them, in its transaction
    (with the change's events: realtime/events.py `record(along=...)`)."""
    pending: list[Model] = []
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)


async def insert(row: Model) -> Model:
    """Writes a new row now, or with the others of `deferred_inserts`."""
    pending = _deferred.get()
    if pending is not None:
        pending.append(row)
    else:
        await row.save()
    return row


def insert_values(rows: Sequence[Model], first: int) -> tuple[str, list[Any]]:
    """`INSERT INTO table (columns) VALUES ($first, ...), ...` for new rows of
    one model, with its parameters, the columns and values as Tortoise's
    own insert takes them (the model's field map and each field's
    `to_db_value`): a part of a PostgreSQL statement that writes several
    tables in one round trip (realtime/events.py)."""
    meta = type(rows[0])._meta
    names = [name for name in meta.fields_db_projection if not meta.fields_map[name].generated]
    columns = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in names)
    tuples, params = [], []
    for row in rows:
        start = first + len(params)
        tuples.append("(" + ", ".join(f"${start + i}" for i in range(len(names))) + ")")
        params.extend(meta.fields_map[name].to_db_value(getattr(row, name), row) for name in names)
    return f'INSERT INTO "{meta.db_table}" ({columns}) VALUES {", ".join(tuples)}', params


# For `python -m tortoise -c models.db.TORTOISE_ORM makemigrations`: the
# autodetector compares models with the migration files; no data is touched.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
