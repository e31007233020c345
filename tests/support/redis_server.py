"""A `redis-server` of a test's own, on a free port, for the tests that stop
or restart Redis: the machine's Redis (TEST_REDIS_URL) is never touched.
The server itself is the fan-out benchmark's (bench/redis_server.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest

from bench.redis_server import RedisServer, available
from tests.support.environment import REQUIRE_SERVICES


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A running `RedisServer` of the test's own, stopped when it ends."""
    if not available():
        message = "redis-server is not installed: a test that restarts Redis needs one of its own"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    with tempfile.TemporaryDirectory(prefix="clinicportal-redis-") as folder:
        server = RedisServer(folder)
        server.start()
        try:
            yield server
        finally:
            server.stop()
