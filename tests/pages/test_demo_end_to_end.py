"""The demo as a reader runs it, with every part a real process:
`clinicportal sandbox` (Twilio stand-in and SMTP sandbox) and `clinicportal
serve` on a database `clinicportal migrate` and `seed-demo` prepared (the
embedded SQLite default, and PostgreSQL), jobs in-process. A
consent-linked booking sends each of its messages once; the demo client then
signs in by phone with the code the stand-in received and finds their
bookings and balances."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time

import uuid

import asyncpg
import httpx
import pytest

from resolvers.demo.balances import POINTS_PER_VISIT
from tests.support.booking import BOOK, REPEAT, at
from tests.conftest import FAST_HASH_ENV, PG_BASE, _backends, _with_database
from tests.support.servers import ROOT, free_port, running_server
from tests.jobs.test_jobs_end_to_end import _cli, _wait_for

PHONE = "+447700900001"
REQUEST_CODE = (
    "mutation($p: String!) { requestSignInCode(clinicSlug: \"demo\", phone: $p, acceptedTerms: true)"
    " { sent userErrors { code } } }"
)
VERIFY_CODE = (
    "mutation($p: String!, $c: String!) { verifySignInCode(clinicSlug: \"demo\", phone: $p, code: $c)"
    " { session { token } userErrors { code } } }"
)
ME = (
    "{ me { fullName"
    " upcoming: appointments(when: UPCOMING) { edges { node { id treatment { name } status } } }"
    " past: appointments(when: PAST) { edges { node { id treatment { name } status } } }"
    " memberships { name sessionsTotal } giftCards { initialValue { amount } } loyaltyCards { programme points } } }"
)


class Demo:
    def __init__(self, http: httpx.AsyncClient, sms_url: str, mail_url: str) -> None:
        self.http, self.sms_url, self.mail_url = http, sms_url, mail_url

    async def gql(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        body = (await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)).json()
        assert "errors" not in body, body
        return body["data"]

    async def texts(self) -> list[dict]:
        return (await self.http.get(self.sms_url)).json()["messages"]

    async def mails(self) -> dict:
        return (await self.http.get(self.mail_url)).json()

    async def until(self, what, enough, seconds: float = 20):
        started = time.monotonic()
        while not enough(found := await what()):
            assert time.monotonic() - started < seconds, f"still waiting; have {found}"
            await asyncio.sleep(0.1)
        return found


@pytest.fixture(params=_backends())
async def database_url(request, tmp_path):
    """An empty database of its own: a file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'demo.sqlite3'}"
        return
    name = f"clinicportal_demo_{uuid.uuid4().hex[:12]}"
    admin_url = PG_BASE.replace("postgres://", "postgresql://", 1)
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    yield _with_database(PG_BASE, name)
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def test_the_demo_books_a_peel_sends_each_message_once_and_the_client_signs_in_by_phone(database_url):
    env = {"DATABASE_URL": database_url, **FAST_HASH_ENV}
    assert _cli(env, "migrate").returncode == 0
    assert _cli(env, "seed-demo").returncode == 0
    twilio, smtp, mail_http = free_port(), free_port(), free_port()
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "cli", "sandbox", "--twilio-port", str(twilio), "--smtp-port", str(smtp), "--mail-http-port", str(mail_http)],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    sms_url, mail_url = f"http://127.0.0.1:{twilio}/_sandbox/messages", f"http://127.0.0.1:{mail_http}/messages"
    served = {**env, "TWILIO_API_BASE": f"http://127.0.0.1:{twilio}", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp)}
    try:
        await _wait_for(sms_url, sandbox)
        await _wait_for(mail_url, sandbox)
        async with running_server(served) as server, httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            demo = Demo(http, sms_url, mail_url)
            signed = await demo.gql('mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "demo-client-pass") { session { token } } }')
            password_session = signed["signIn"]["session"]["token"]
            treatments = (await demo.gql('{ clinic(slug: "demo") { treatments { id name } } }'))["clinic"]["treatments"]
            peel = next(t["id"] for t in treatments if t["name"] == "Chemical Peel")
            booked = await demo.gql(BOOK, {"input": {"clinicSlug": "demo", "treatmentId": peel, "start": at(6, 14)}}, password_session)
            assert booked["bookAppointment"]["userErrors"] == []
            practitioner = booked["bookAppointment"]["appointment"]["practitioner"]["name"]

            await demo.until(demo.texts, lambda found: len(found) >= 2)
            await demo.until(demo.mails, lambda found: len(found["messages"]) >= 3)
            await asyncio.sleep(2)  # anything sent twice would have arrived by now
            texts, mails = await demo.texts(), await demo.mails()

            assert [m["to"] for m in texts] == [PHONE, PHONE]
            consent_texts = [m for m in texts if "consent form" in m["body"]]
            confirmations = [m for m in texts if "is booked for" in m["body"]]
            assert len(consent_texts) == 1 and len(confirmations) == 1
            assert "Chemical Peel" in confirmations[0]["body"] and "/consent?token=" in consent_texts[0]["body"]

            assert mails["duplicates"] == {}
            practitioner_email = {"Alex Morgan": "alex@demo.clinic", "Sam Patel": "sam@demo.clinic"}[practitioner]
            to_practitioner = [m for m in mails["messages"] if practitioner_email in m["rcptTos"]]
            to_client = [m for m in mails["messages"] if "client@demo.clinic" in m["rcptTos"]]
            assert len(to_practitioner) == 1 and "Chemical Peel" in to_practitioner[0]["body"]
            assert len(to_client) == 1 and "/consent?token=" in to_client[0]["body"]
            to_desk = [m for m in mails["messages"] if "frontdesk@demo.clinic" in m["rcptTos"]]
            assert len(to_desk) == 1 and to_desk[0]["subject"].startswith("New booking at Demo Skin Clinic: ")
            assert len(mails["messages"]) == 3  # those three, nothing else

            # Phone sign-in with the code the stand-in received.
            requested = await demo.gql(REQUEST_CODE, {"p": "07700 900001"})
            assert requested["requestSignInCode"] == {"sent": True, "userErrors": []}
            texts = await demo.until(demo.texts, lambda found: len(found) >= 3)
            [code] = re.findall(r"\b(\d{6})\b", texts[-1]["body"])
            verified = await demo.gql(VERIFY_CODE, {"p": PHONE, "c": code})
            assert verified["verifySignInCode"]["userErrors"] == []
            token = verified["verifySignInCode"]["session"]["token"]

            me = (await demo.gql(ME, token=token))["me"]
            assert me["fullName"] == "Jamie Client"
            upcoming = [(e["node"]["treatment"]["name"], e["node"]["status"]) for e in me["upcoming"]["edges"]]
            assert sorted(upcoming) == [("Chemical Peel", "BOOKED"), ("Facial", "BOOKED")]
            [past] = [e["node"] for e in me["past"]["edges"]]
            assert (past["treatment"]["name"], past["status"]) == ("Facial", "COMPLETED")
            assert me["memberships"] == [{"name": "Course of six facials", "sessionsTotal": 6}]
            assert me["giftCards"] == [{"initialValue": {"amount": "50.00"}}]
            # 120 by hand, and what the completed visit earned
            assert me["loyaltyCards"] == [{"programme": "Glow Rewards", "points": 120 + POINTS_PER_VISIT}]

            repeated = await demo.gql(REPEAT, {"id": past["id"], "start": at(9, 11)}, token)
            assert repeated["repeatAppointment"]["userErrors"] == []
            assert repeated["repeatAppointment"]["appointment"]["treatment"] == {"name": "Facial"}
            assert repeated["repeatAppointment"]["appointment"]["status"] == "BOOKED"
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=15)
