"""A server for the reports page tests: the seeded demo plus the clinic of
tests/support/reports_data.py (whose figures are worked out by hand), with
a password for its owner so that the page can sign in.

`python -m tests.support.reports_site <database url>` adds that clinic to a
database; the `reports_site` fixture serves a copy of the demo template
with it added."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys

import pytest

from tests.support.browser import Site
from tests.support.environment import FAST_HASH_ENV
from tests.support.servers import ROOT, free_port

SLUG = "reportville"
OWNER = (f"owner@{SLUG}.example", "reportville-owner-pass")


async def _add(database_url: str) -> None:
    from models import StaffUser
    from models.db import close_db, init_db
    from resolvers.account.auth import hash_password
    from resolvers.core.runtime import Runtime
    from settings import Settings
    from tests.support import reports_data

    await init_db(database_url)
    try:
        built = await reports_data.build(SLUG)
        password_hash = await hash_password(Runtime.build(Settings.from_env()), OWNER[1])
        await StaffUser.filter(clinic_id=built.clinic.id, email=OWNER[0]).update(password_hash=password_hash)
    finally:
        await close_db()


def add_reportville(database_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.reports_site", database_url],
        cwd=ROOT, env={**os.environ, **FAST_HASH_ENV, "DATABASE_URL": database_url}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.fixture
async def reports_site(template, tmp_path):
    database = tmp_path / "reports.sqlite3"
    shutil.copy(template, database)
    add_reportville(f"sqlite://{database}")
    port = free_port()
    site = Site({**FAST_HASH_ENV, "DATABASE_URL": f"sqlite://{database}", "PUBLIC_BOOKING_URL": f"http://127.0.0.1:{port}"}, port)
    await site.start()
    yield site
    await site.stop()


if __name__ == "__main__":
    asyncio.run(_add(sys.argv[1]))
