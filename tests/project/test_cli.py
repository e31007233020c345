"""The command line: migrate, seed-demo (idempotent), create-api-key."""

import os
import subprocess
import sys

import httpx

from tests.conftest import FAST_HASH_ENV
from tests.support.servers import ROOT, running_server


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


async def test_a_fresh_database_is_migrated_seeded_once_and_served(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'fresh' / 'db.sqlite3'}", **FAST_HASH_ENV}
    assert _cli(env, "migrate").returncode == 0
    first, second = _cli(env, "seed-demo"), _cli(env, "seed-demo")
    assert first.stdout.strip() == "seeded: demo, northside"
    assert second.stdout.strip() == "demo data already present"
    assert _cli(env, "migrate").returncode == 0  # nothing left to apply
    key = _cli(env, "create-api-key", "--clinic", "northside", "--scopes", "read,calendar")
    assert key.returncode == 0, key.stderr
    token = key.stdout.strip()
    async with running_server(env) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            body = (await client.post("/graphql", json={"query": '{ clinic(slug: "demo") { name practitioners { name } } }'})).json()
            assert body["data"]["clinic"]["name"] == "Demo Skin Clinic"
            calendar = await client.post(
                "/graphql",
                json={"query": '{ calendar(from: "2020-01-01T00:00:00Z", to: "2020-02-01T00:00:00Z") { id } }'},
                headers={"authorization": f"Bearer {token}"},
            )
            assert calendar.json() == {"data": {"calendar": []}}


def test_create_api_key_refuses_unknown_scopes_and_clinics(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}", **FAST_HASH_ENV}
    _cli(env, "migrate")
    assert _cli(env, "create-api-key", "--clinic", "demo", "--scopes", "root").returncode == 2
    assert _cli(env, "create-api-key", "--clinic", "nowhere").returncode == 2


async def test_api_keys_are_listed_and_revoked_from_the_command_line(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}", **FAST_HASH_ENV}
    _cli(env, "migrate")
    _cli(env, "seed-demo")
    token = _cli(env, "create-api-key", "--clinic", "demo", "--scopes", "calendar", "--name", "Front desk").stdout.strip()
    listed = _cli(env, "list-api-keys", "--clinic", "demo").stdout
    assert "Front desk" in listed and "active" in listed and token not in listed
    key_id = listed.split()[0]
    assert _cli(env, "revoke-api-key", "--clinic", "northside", "--id", key_id).returncode == 2  # not theirs
    assert _cli(env, "revoke-api-key", "--clinic", "demo", "--id", key_id).stdout.strip() == "revoked"
    assert "revoked" in _cli(env, "list-api-keys", "--clinic", "demo").stdout
    async with running_server(env) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            calendar = await client.post(
                "/graphql",
                json={"query": '{ calendar(from: "2027-01-01T00:00:00Z", to: "2027-01-02T00:00:00Z") { id } }'},
                headers={"authorization": f"Bearer {token}"},
            )
    assert calendar.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
