"""A server started on any port hands out links to that port, says at
start-up where its data is and where to go (with the demo logins), and
answers `/` with a page of links."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from settings import Settings
from tests.support.environment import FAST_HASH_ENV
from tests.support.servers import ROOT, running_server

CLIENT_SIGN_IN = (
    'mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "demo-client-pass")'
    " { session { token } userErrors { code } } }"
)
PREFILL = "mutation { createPrefillToken { token bookingUrl userErrors { code } } }"


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
async def served(tmp_path_factory):
    """`clinicportal serve` on a free port over a migrated, seeded SQLite file,
    with neither PUBLIC_BOOKING_URL nor PUBLIC_API_URL set."""
    folder = tmp_path_factory.mktemp("served")
    env = {"DATABASE_URL": f"sqlite://{folder / 'db.sqlite3'}", "DATA_DIR": str(folder / "data"), **FAST_HASH_ENV}
    for command in ("migrate", "seed-demo"):
        assert _cli(env, command).returncode == 0
    async with running_server({**env, "PUBLIC_BOOKING_URL": "", "PUBLIC_API_URL": ""}) as server:
        yield server


async def test_the_booking_link_points_at_the_port_the_server_listens_on(served):
    async with httpx.AsyncClient(base_url=served.url) as http:
        signed_in = (await http.post("/graphql", json={"query": CLIENT_SIGN_IN})).json()["data"]["signIn"]
        token = signed_in["session"]["token"]
        made = (await http.post("/graphql", json={"query": PREFILL}, headers={"authorization": f"Bearer {token}"})).json()
        prefill = made["data"]["createPrefillToken"]
        assert prefill["bookingUrl"] == f"{served.url}/p/demo/book?token={prefill['token']}"
        page = await http.get(prefill["bookingUrl"])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_public_urls_follow_host_and_port_unless_they_are_set():
    derived = Settings.from_env({"HOST": "0.0.0.0", "PORT": "8123"})
    assert (derived.public_booking_url, derived.public_api_url) == ("http://127.0.0.1:8123", "http://127.0.0.1:8123")
    assert Settings.from_env({"HOST": "::1", "PORT": "9000"}).public_api_url == "http://[::1]:9000"
    explicit = Settings.from_env({"PORT": "8123", "PUBLIC_BOOKING_URL": "https://book.example/", "PUBLIC_API_URL": "https://api.example"})
    assert (explicit.public_booking_url, explicit.public_api_url) == ("https://book.example", "https://api.example")
    with pytest.raises(ValueError, match="PORT must be a whole number"):
        Settings.from_env({"PORT": "eighty"})


async def test_start_up_says_where_the_data_is_where_to_go_and_how_to_sign_in(served):
    printed = served.log_text()
    assert f"GraphiQL   {served.url}/graphql" in printed
    assert f"calendar   {served.url}/calendar" in printed
    assert f"reports    {served.url}/reports" in printed
    assert f"demo       portal {served.url}/p/demo/" in printed
    assert "staff owner@demo.clinic / demo-owner-pass, client client@demo.clinic / demo-client-pass" in printed
    assert "northside  portal" in printed
    assert "db.sqlite3 (SQLite)" in printed and "uploads in" in printed


async def test_the_root_address_is_a_page_of_links(served):
    async with httpx.AsyncClient(base_url=served.url) as http:
        home = await http.get("/")
        for link in ('href="/graphql"', 'href="/calendar"', 'href="/reports"', 'href="/p/demo/"'):
            assert link in home.text
        assert (await http.get("/calendar")).status_code == 200
        assert (await http.get("/reports")).status_code == 200
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert home.headers["content-security-policy"].startswith("default-src 'self'")
    assert "http" not in home.text.replace("http-equiv", "")  # nothing from elsewhere


def test_a_production_home_page_leaves_out_graphiql_and_the_demo():
    from web.home import _page

    page = _page(Settings(environment="production"))
    assert 'href="/calendar"' in page and 'href="/reports"' in page and "/graphql\"" not in page and 'href="/p/demo/"' not in page
