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
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from tests.support.environment import FAST_HASH_ENV
from tests.support.servers import ROOT, free_port, running_server

try:
    from playwright.async_api import async_playwright
except ImportError:  # reported by the `chromium` fixture
    async_playwright = None

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
# The README's screenshots are rewritten only on request (UPDATE_SCREENSHOTS=1),
# so a test run leaves the working tree as it found it.
SCREENSHOTS = ROOT / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
CLIENT = ("client@demo.clinic", "demo-client-pass")
OWNER = ("owner@demo.clinic", "demo-owner-pass")


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


@pytest.fixture(scope="session")
async def chromium():
    path = chromium_path()
    if async_playwright is None:
        unavailable("Playwright is not installed")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return seeded_database(tmp_path_factory.mktemp("seeded"), FAST_HASH_ENV)


class Site:
    """The app on a fixed port (so it can be stopped and started again),
    with `PUBLIC_BOOKING_URL` pointing at itself."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port, self.url = env, port, f"http://127.0.0.1:{port}"
        self._stack: AsyncExitStack | None = None

    async def start(self) -> None:
        self._stack = AsyncExitStack()
        await self._stack.enter_async_context(running_server(self.env, port=self.port))

    async def stop(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def gql(self, query: str, variables: dict | None = None, token: str | None = None, url: str | None = None) -> dict:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(base_url=url or self.url) as http:
            body = (await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)).json()
        assert "errors" not in body, body
        return body["data"]

    async def client_token(self) -> str:
        data = await self.gql(
            "mutation($e: String!, $p: String!) { signIn(clinicSlug: \"demo\", email: $e, password: $p) { session { token } } }",
            {"e": CLIENT[0], "p": CLIENT[1]},
        )
        return data["signIn"]["session"]["token"]


@pytest.fixture
async def site(template, tmp_path):
    database = tmp_path / "portal.sqlite3"
    shutil.copy(template, database)
    port = free_port()
    site = Site({**FAST_HASH_ENV, "DATABASE_URL": f"sqlite://{database}", "PUBLIC_BOOKING_URL": f"http://127.0.0.1:{port}"}, port)
    await site.start()
    yield site
    await site.stop()


@pytest.fixture
async def new_page(chromium):
    """Pages in fresh browser contexts; a script error, a refused resource
    or a Content-Security-Policy violation on any of them fails the test."""
    contexts, problems = [], []

    async def open_page(viewport: dict = PHONE, **options):
        """`options` go to the browser context (e.g. `timezone_id`)."""
        context = await chromium.new_context(viewport=viewport, **options)
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda m: m.type == "error" and "WebSocket connection" not in m.text and problems.append(f"console: {m.text}"),
        )
        return page

    yield open_page
    for context in contexts:
        await context.close()
    assert problems == []


def screenshot_folder() -> Path:
    """docs/screenshots/ with UPDATE_SCREENSHOTS=1; else one temporary folder
    for this test run (named clinicportal-screenshots-*, left for a look)."""
    global _scratch
    if UPDATE_SCREENSHOTS:
        return SCREENSHOTS
    if _scratch is None:
        _scratch = Path(tempfile.mkdtemp(prefix="clinicportal-screenshots-"))
    return _scratch


_scratch: Path | None = None


async def shot(page, name: str) -> Path:
    """A full-page screenshot of what the page shows now."""
    folder = screenshot_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    await page.screenshot(path=path, full_page=True)
    return path
