"""The demo as a reader runs it: `clinicportal sandbox` and `clinicportal
serve` on the embedded default; a booking's SMS arrives at the stand-in
with nothing else running. And the clean-up."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta

import httpx

from jobs import cleanup
from models import (
    ClinicEvent,
    EventKind,
    Appointment,
    ConsentRequest,
    Credential,
    CredentialKind,
    IdempotencyKey,
    OutboxMessage,
    OutboxStatus,
    PrefillToken,
    StaffInvite,
    utcnow,
)
from resolvers.account import credentials
from resolvers.notifications.outbox import enqueue
from tests.support.booking import BOOK, at
from tests.conftest import FAST_HASH_ENV
from tests.support.servers import ROOT, free_port, running_server


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


async def _wait_for(url: str, process: subprocess.Popen) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(150):
            assert process.poll() is None, process.stdout.read() if process.stdout else "sandbox exited"
            try:
                await client.get(url)
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


async def test_a_demo_booking_texts_the_client_once_through_the_sandbox_command(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'demo.sqlite3'}", **FAST_HASH_ENV}
    assert _cli(env, "migrate").returncode == 0
    assert _cli(env, "seed-demo").returncode == 0
    port, smtp = free_port(), free_port()
    sandbox = subprocess.Popen(  # on ports of its own: the command's defaults are fixed ones
        [sys.executable, "-m", "cli", "sandbox", "--twilio-port", str(port), "--smtp-port", str(smtp), "--mail-http-port", str(free_port())],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    messages = f"http://127.0.0.1:{port}/_sandbox/messages"
    try:
        await _wait_for(messages, sandbox)
        stand_ins = {"TWILIO_API_BASE": f"http://127.0.0.1:{port}", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp)}
        async with running_server({**env, **stand_ins}) as server:
            async with httpx.AsyncClient(base_url=server.url) as client:
                signed = await client.post("/graphql", json={"query": 'mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "demo-client-pass") { session { token } } }'})
                token = signed.json()["data"]["signIn"]["session"]["token"]
                clinic = (await client.post("/graphql", json={"query": '{ clinic(slug: "demo") { treatments { id name } } }'})).json()
                facial = next(t["id"] for t in clinic["data"]["clinic"]["treatments"] if t["name"] == "Facial")
                booking = {"clinicSlug": "demo", "treatmentId": facial, "start": at(5, 11)}
                started = time.monotonic()
                booked = await client.post("/graphql", json={"query": BOOK, "variables": {"input": booking}}, headers={"authorization": f"Bearer {token}"})
                assert booked.json()["data"]["bookAppointment"]["userErrors"] == []
                while not (received := (await client.get(messages)).json()["messages"]):
                    assert time.monotonic() - started < 15, "no SMS reached the stand-in"
                    await asyncio.sleep(0.05)
                took = time.monotonic() - started
                await asyncio.sleep(1.5)  # anything sent twice would have arrived by now
                received = (await client.get(messages)).json()["messages"]
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=15)
    assert len(received) == 1
    assert received[0]["to"] == "+447700900001" and "Facial" in received[0]["body"] and received[0]["sid"].startswith("SM")
    print(f"\n[figures] embedded default: booking to SMS at the stand-in in {took:.2f}s")


def test_the_worker_command_needs_redis(tmp_path):
    result = _cli({"DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}"}, "worker")
    assert result.returncode == 2 and "REDIS_URL" in result.stderr


async def test_the_clean_up_removes_what_has_expired_and_keeps_the_rest(demo, runtime):
    clinic, client = demo["demo"].clinic, demo["demo"].client
    now = utcnow()
    settings = runtime.settings
    old = now - timedelta(days=settings.outbox_retention_days + 1)
    hour = timedelta(hours=1)
    _, expired = await credentials.issue(CredentialKind.CLIENT_SESSION, clinic.id, lifetime=hour, client_id=client.id)
    _, live = await credentials.issue(CredentialKind.CLIENT_SESSION, clinic.id, lifetime=hour, client_id=client.id)
    _, revoked = await credentials.issue(CredentialKind.CLIENT_SESSION, clinic.id, lifetime=hour, client_id=client.id)
    _, key = await credentials.issue(CredentialKind.API_KEY, clinic.id, lifetime=None, scopes=["read"])
    await Credential.filter(id=expired.id).update(expires_at=now - timedelta(minutes=1))
    await Credential.filter(id__in=[revoked.id, key.id]).update(revoked_at=now)
    await PrefillToken.create(clinic=clinic, client=client, token_hash="a" * 64, expires_at=now - timedelta(minutes=1))
    await PrefillToken.create(clinic=clinic, client=client, token_hash="b" * 64, expires_at=now + timedelta(minutes=4))
    await IdempotencyKey.create(clinic=clinic, caller="c", key="old", request_hash="x", expires_at=now - timedelta(hours=1))
    await IdempotencyKey.create(clinic=clinic, caller="c", key="new", request_hash="x", expires_at=now + timedelta(hours=1))
    rows = {}
    for name, status, created in (
        ("old sent", OutboxStatus.SENT, old),
        ("old cancelled", OutboxStatus.CANCELLED, old),
        ("old dead", OutboxStatus.DEAD, old),
        ("old pending", OutboxStatus.PENDING, old),
        ("new sent", OutboxStatus.SENT, now),
    ):
        row = await enqueue(clinic.id, "sms", {"to": "+447700900123", "body": name, "purpose": "test"}, due_at=now + timedelta(days=1))
        await OutboxMessage.filter(id=row.id).update(status=status, created_at=created)
        rows[name] = row.id
    week_ago = now - timedelta(days=settings.event_retention_days, hours=1)
    await ClinicEvent.filter(clinic_id=clinic.id).delete()  # the clinic's set-up wrote some: only these three count
    for position, (published, occurred) in enumerate(((True, week_ago), (False, week_ago), (True, now)), start=1):
        await ClinicEvent.create(clinic=clinic, position=position, kind=EventKind.BOOKED, published=published, occurred_at=occurred)

    deleted = await cleanup.run(settings, now=now)

    assert deleted == {
        "expired pre-fill tokens": 1,
        "expired or revoked sessions": 2,
        "expired idempotency keys": 1,
        "expired sign-in codes": 0,
        "expired password-reset links": 0,
        "expired staff invitations": 0,
        "slot holds a day old": 0,  # tests/booking/test_holds.py removes some
        "expired waitlist offer links": 0,
        "sent or cancelled outbox rows past retention": 2,
        "events past retention": 1,
    }
    left = set(await Credential.filter(clinic_id=clinic.id).values_list("id", flat=True))
    assert live.id in left and key.id in left and expired.id not in left and revoked.id not in left
    assert await PrefillToken.filter(clinic_id=clinic.id).values_list("token_hash", flat=True) == ["b" * 64]
    assert await IdempotencyKey.filter(clinic_id=clinic.id).values_list("key", flat=True) == ["new"]
    remaining = set(await OutboxMessage.filter(id__in=list(rows.values())).values_list("id", flat=True))
    assert remaining == {rows["old dead"], rows["old pending"], rows["new sent"]}
    # An old event not relayed yet stays, as does a recent one.
    assert await ClinicEvent.filter(clinic_id=clinic.id).order_by("position").values_list("position", flat=True) == [2, 3]


async def test_the_clean_up_deletes_staff_invitations_a_day_after_they_expired_and_keeps_consent_requests(demo, runtime):
    d = demo["demo"]
    now = utcnow()
    for token, expires in (("a", now - timedelta(days=2)), ("b", now - timedelta(hours=2)), ("c", now + timedelta(days=3))):
        await StaffInvite.create(clinic=d.clinic, staff=d.owner, token_hash=token * 64, expires_at=expires)
    past = await Appointment.filter(clinic_id=d.clinic.id, client_id=d.client.id).first()
    consent = await ConsentRequest.create(
        clinic=d.clinic, appointment=past, client=d.client, form_title="Consent", form_body="...",
        token_hash="d" * 64, expires_at=now - timedelta(days=60),
    )

    deleted = await cleanup.run(runtime.settings, now=now)

    assert deleted["expired staff invitations"] == 1
    assert sorted(await StaffInvite.filter(clinic_id=d.clinic.id).values_list("token_hash", flat=True)) == ["b" * 64, "c" * 64]
    assert await ConsentRequest.filter(id=consent.id).exists()
