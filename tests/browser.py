"""The machine's Chromium driven by Playwright, and a seeded demo server for
the page tests.

Chromium comes from the Debian package (`make browser` installs it when
running as root); Playwright never downloads a browser of its own. Without
Chromium the page tests are skipped with a message saying so, and with
REQUIRE_SERVICES=1 (CI) they fail instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


def unavailable(reason: str) -> None:
    message = f"{reason}: the portal and calendar page tests need it (as root, `make browser` installs the Debian package chromium)"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def chromium_path() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"no Chromium at {CHROMIUM}")
    return CHROMIUM


def cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr


def seeded_database(folder: Path, env: dict[str, str]) -> Path:
    """A migrated SQLite file with the demo clinics in it."""
    path = folder / "template.sqlite3"
    cli({**env, "DATABASE_URL": f"sqlite://{path}"}, "migrate")
    cli({**env, "DATABASE_URL": f"sqlite://{path}"}, "seed-demo")
    return path
