"""What the test run is given (the services it must use) and the settings
its own code runs with."""

from __future__ import annotations

import os

from settings import Settings
from tests.support.servers import REFUSING_PORT

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
PG_BASE = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")

# E-mail and SMS go nowhere unless a test starts a stand-in and points them at it.
TEST_SETTINGS = Settings(
    argon2_time_cost=1,
    argon2_memory_kib=1024,
    smtp_host="127.0.0.1",
    smtp_port=REFUSING_PORT,
    twilio_api_base=f"http://127.0.0.1:{REFUSING_PORT}",
)
# Environment for server processes the tests start.
FAST_HASH_ENV = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024"}
