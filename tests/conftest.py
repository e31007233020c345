"""Test harness.

Every test that takes `api` or `demo` runs once on SQLite and once on
PostgreSQL (when TEST_DATABASE_URL names a server). With REQUIRE_SERVICES=1
(as .ci/run sets) a missing PostgreSQL or Redis fails the run instead of
skipping."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis
from tortoise import Tortoise
from tortoise.backends.base import executor

from app import create_app
from models import Client, Clinic, Practitioner, StaffUser, Treatment
from models.db import close_db, connection, init_db, is_postgres, tortoise_config
from realtime import hub as live_hub
from realtime.events import ChannelLog
from realtime.hub import Hub
from realtime.relay import Relay
from resolvers.booking import live
from resolvers.core.runtime import Runtime
from resolvers.demo.clinics import seed_demo
from tests.support.environment import FAST_HASH_ENV, PG_BASE, REDIS_URL, REQUIRE_SERVICES, TEST_SETTINGS  # noqa: F401  (FAST_HASH_ENV: for the tests that import it from here)

TABLES = (
    "clinic_event",
    "event_head",
    "legal_acceptance",
    "legal_document",
    "waitlist_offer",
    "waitlist_entry",
    "slot_hold",
    "consent_request",
    "practitioner_email_settings",
    "email_template",
    "ledger_entry",
    "loyalty_card",
    "loyalty_programme",
    "membership_treatment",
    "membership",
    "gift_card",
    "password_reset_token",
    "sign_in_code",
    "webhook_endpoint",
    "sms_opt_out",
    "outbox_message",
    "refund",
    "payment",
    "idempotency_key",
    "prefill_token",
    "credential",
    "appointment",
    "appointment_series",
    "staff_invite",
    "staff_user",
    "client",
    "roster_exception",
    "roster_entry",
    "practitioner_treatment",
    "treatment",
    "consent_form",
    "practitioner",
    "clinic",
)


def _backends() -> list[str]:
    return ["sqlite", "postgres"] if (PG_BASE or REQUIRE_SERVICES) else ["sqlite"]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def migrate(url: str) -> None:
    from tortoise.migrations.api.migrate import migrate as run_migrations

    await run_migrations(config=tortoise_config(url))
    await Tortoise.close_connections()


@dataclass
class Backend:
    name: str
    url: str
    hub: Hub  # in-memory, started for the session as the app's lifespan would
    relay: Relay  # carries committed events to the hub, as the app's does


@pytest.fixture(scope="session", params=_backends())
async def backend(request, tmp_path_factory) -> Backend:
    created = None
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        if not PG_BASE:
            pytest.fail("REQUIRE_SERVICES=1 but TEST_DATABASE_URL is not set")
        created = f"clinicportal_test_{uuid.uuid4().hex[:12]}"
        try:
            admin = await asyncpg.connect(PG_BASE.replace("postgres://", "postgresql://", 1))
        except (OSError, asyncpg.PostgresError) as exc:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {exc}")
        await admin.execute(f'CREATE DATABASE "{created}"')
        await admin.close()
        url = _with_database(PG_BASE, created)
    # Tortoise caches compiled queries by connection name; this process moves
    # between dialects, a server never does.
    executor.EXECUTOR_CACHE.clear()
    await init_db(url)  # creates the SQLite folder
    await Tortoise.close_connections()
    await migrate(url)
    await init_db(url)
    hub = live_hub.build(None, ChannelLog(), prepare=live.prepare_delivery)  # as the app does
    relay = Relay(hub)
    await hub.start()
    await relay.start()
    yield Backend(request.param, url, hub, relay)
    await relay.stop()
    await hub.stop()
    await close_db()
    if created:
        admin = await asyncpg.connect(PG_BASE.replace("postgres://", "postgresql://", 1))
        await admin.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
        await admin.close()


async def clear_tables() -> None:
    conn = connection()
    if is_postgres():
        await conn.execute_script(f"TRUNCATE {', '.join(TABLES)} CASCADE")
    else:
        for table in TABLES:
            await conn.execute_script(f"DELETE FROM {table}")


@dataclass
class DemoClinicIds:
    clinic: Clinic
    treatments: dict[str, Treatment]
    practitioners: dict[str, Practitioner]
    client: Client
    owner: StaffUser


@dataclass
class Demo:
    clinics: dict[str, DemoClinicIds] = field(default_factory=dict)

    def __getitem__(self, slug: str) -> DemoClinicIds:
        return self.clinics[slug]


@pytest.fixture
def runtime(backend: Backend) -> Runtime:
    """The test's own runtime (fresh rate limits; settings a test may
    replace), shared by the app of the `api` fixture. Jobs run only when a
    test carries them out."""
    return Runtime.build(replace(TEST_SETTINGS, database_url=backend.url), hub=backend.hub, wake_relay=backend.relay.wake)


@pytest.fixture
async def demo(backend: Backend, runtime: Runtime) -> Demo:
    """Fresh demo data for each test."""
    await clear_tables()
    await seed_demo(runtime, series=False)  # the series tests book their own
    demo = Demo()
    for clinic in await Clinic.all():
        demo.clinics[clinic.slug] = DemoClinicIds(
            clinic=clinic,
            treatments={t.name: t for t in await Treatment.filter(clinic_id=clinic.id)},
            practitioners={p.name: p for p in await Practitioner.filter(clinic_id=clinic.id)},
            client=await Client.get(clinic_id=clinic.id),
            owner=await StaffUser.get(clinic_id=clinic.id, email__startswith="owner@"),
        )
    return demo


class Api:
    """A GraphQL client for the app, in process."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client

    async def post(self, query: str, variables: dict | None = None, token: str | None = None, **kw) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers, **kw)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, variables: dict | None = None, token: str | None = None) -> dict[str, Any]:
        body = await self.post(query, variables, token)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def sign_in(self, slug: str, email: str, password: str) -> str:
        data = await self.data(
            "mutation($s: String!, $e: String!, $p: String!) { signIn(clinicSlug: $s, email: $e, password: $p)"
            " { session { token } userErrors { code message } } }",
            {"s": slug, "e": email, "p": password},
        )
        assert data["signIn"]["userErrors"] == [], data
        return data["signIn"]["session"]["token"]

    async def staff_sign_in(self, email: str, password: str) -> str:
        data = await self.data(
            "mutation($e: String!, $p: String!) { staffSignIn(email: $e, password: $p)"
            " { session { token } userErrors { code message } } }",
            {"e": email, "p": password},
        )
        assert data["staffSignIn"]["userErrors"] == [], data
        return data["staffSignIn"]["session"]["token"]


@pytest.fixture
async def api(backend: Backend, demo: Demo, runtime: Runtime) -> Api:
    app = create_app(runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)


@pytest.fixture
async def redis_url() -> str:
    if not REDIS_URL:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but TEST_REDIS_URL is not set")
        pytest.skip("set TEST_REDIS_URL to run the Redis tests")
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis at TEST_REDIS_URL is not reachable: {exc}")
    finally:
        await client.aclose()
    return REDIS_URL


async def client_token(api: Api, slug: str = "demo") -> str:
    from resolvers.demo.clinics import DEMO_CLINICS

    spec = next(s for s in DEMO_CLINICS if s.slug == slug)
    return await api.sign_in(slug, spec.client[1], spec.client[2])


async def staff_token(api: Api, slug: str = "demo") -> str:
    from resolvers.demo.clinics import DEMO_CLINICS

    spec = next(s for s in DEMO_CLINICS if s.slug == slug)
    return await api.staff_sign_in(*spec.owner)
