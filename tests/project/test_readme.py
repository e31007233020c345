"""The README's first session, run as a reader would: every example of the
section in order (GraphQL, curl, the command line, the subscription
script), against a server of its own, with each `<...>` filled in from the
answers before it. An example that stops working, or a placeholder no
answer fills, fails here."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.environment import FAST_HASH_ENV
from tests.support.servers import ROOT, running_server

SECTION = "## A first session"
README_ADDRESS = "127.0.0.1:8000"
PLACEHOLDER = re.compile(r"<[a-z][a-z ]*>")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
# What each answer fills in: placeholder -> path in `data` ("-1": the last
# item, "mid": the middle one).
CAPTURES = {
    "signIn": {"<client token>": "signIn.session.token"},
    "me": {"<past appointment id>": "me.past.edges.0.node.id", "<treatment id>": "me.past.edges.0.node.treatment.id"},
    "availableSlots": {
        "<start>": "availableSlots.0.start",
        "<repeat start>": "availableSlots.mid.start",
        "<new start>": "availableSlots.-1.start",
    },
    "createPrefillToken": {"<prefill token>": "createPrefillToken.token"},
    "redeemPrefillToken": {"<booking session token>": "redeemPrefillToken.bookingSession.token"},
    "bookAppointment": {"<appointment id>": "bookAppointment.appointment.id"},
    "rescheduleAppointment": {"<moved appointment id>": "rescheduleAppointment.appointment.id"},
    "staffSignIn": {"<staff token>": "staffSignIn.session.token"},
    "createApiKey": {"<partner key>": "createApiKey.key"},
}


def first_session() -> list[tuple[str, str]]:
    """(language, text) of each example of the section, in order."""
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n{SECTION}\n")
    end = re.compile(r"^#{2,3} ", re.M).search(text, start + len(SECTION) + 2).start()
    return BLOCK.findall(text[start:end])


def weekday_ahead(days: int) -> date:
    """A Tuesday to Friday at least `days` ahead: inside the demo's working
    days and booking window, whatever the clocks do."""
    day = date.today() + timedelta(days=days)
    while day.weekday() not in (1, 2, 3, 4):
        day += timedelta(days=1)
    return day


def pick(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, list):
            data = data[len(data) // 2 if part == "mid" else int(part)]
        else:
            data = data[part]
    return data


@dataclass
class Reader:
    """What the reader has learnt so far, and the server they talk to."""

    server_url: str
    env: dict[str, str]
    values: dict[str, str]

    def fill(self, text: str) -> str:
        text = text.replace(README_ADDRESS, self.server_url.removeprefix("http://"))
        for placeholder, value in self.values.items():
            text = text.replace(placeholder, value)
        missing = PLACEHOLDER.findall(text)
        assert not missing, f"nothing before this example fills {missing}:\n{text}"
        return text

    async def graphql(self, http: httpx.AsyncClient, example: str) -> None:
        query = self.fill(example)
        headers = {}
        if found := re.match(r"# Headers: (\{.*\})\n", query):
            headers = json.loads(found.group(1))
        body = (await http.post("/graphql", json={"query": query}, headers=headers)).json()
        assert "errors" not in body, f"{body['errors']}\n{query}"
        for field, answer in body["data"].items():
            if isinstance(answer, dict) and "userErrors" in answer:
                assert answer["userErrors"] == [], f"{field}: {answer['userErrors']}"
            for placeholder, path in CAPTURES.get(field, {}).items():
                self.values[placeholder] = str(pick(body["data"], path))

    def shell(self, example: str) -> None:
        for line in self.fill(example).replace("\\\n", " ").splitlines():
            if line.startswith("curl "):
                answer = json.loads(subprocess.run(line, shell=True, capture_output=True, text=True, timeout=60).stdout)
                assert answer.get("data") and "errors" not in answer, answer
            elif line.startswith(".venv/bin/clinicportal "):
                args = [sys.executable, "-m", "cli", *shlex.split(line)[1:]]
                done = subprocess.run(args, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120)
                assert done.returncode == 0, done.stderr
                self.values["<partner key>"] = done.stdout.strip()
            else:
                raise AssertionError(f"the test does not know how to run {line!r}")


async def _subscribed(http: httpx.AsyncClient, script: subprocess.Popen) -> None:
    for _ in range(200):
        assert script.poll() is None, script.stdout.read()
        if (await http.get("/health")).json()["liveSubscribers"] >= 1:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the subscription script never subscribed")


@pytest.fixture
async def server(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}", "DATA_DIR": str(tmp_path / "data"), **FAST_HASH_ENV}
    for command in ("migrate", "seed-demo"):
        done = subprocess.run([sys.executable, "-m", "cli", command], cwd=ROOT, env={**os.environ, **env},
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
    async with running_server(env) as running:
        yield running, {**os.environ, **env}


async def test_every_example_of_the_first_session_works_in_order(server, tmp_path):
    running, env = server
    day = weekday_ahead(3).isoformat()
    reader = Reader(running.url, env, {"<date>": day, "<unique key>": f"readme-{uuid.uuid4()}"})
    examples = first_session()
    assert {language for language, _ in examples} == {"graphql", "sh", "python"}
    script: subprocess.Popen | None = None
    try:
        async with httpx.AsyncClient(base_url=running.url, timeout=30) as http:
            for language, example in examples:
                if language == "graphql":
                    await reader.graphql(http, example)
                elif language == "sh":
                    reader.shell(example)
                else:
                    path = Path(tmp_path / "subscribe.py")
                    path.write_text(reader.fill(example))
                    script = subprocess.Popen([sys.executable, str(path), reader.values["<client token>"]], text=True,
                                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
                    await _subscribed(http, script)
            await asyncio.sleep(1)  # the last events reach the script
    finally:
        if script is not None:
            script.terminate()
    assert script is not None, "the section has no subscription script"
    printed = script.communicate(timeout=15)[0]
    events = [json.loads(line)["payload"]["data"]["myAppointmentUpdates"] for line in printed.splitlines() if '"next"' in line]
    kinds = [event["kind"] for event in events]
    # A move may be told as one event or as two (the old time, the new one).
    assert [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]] == ["BOOKED", "RESCHEDULED", "CANCELLED", "BOOKED"], printed
    assert events[0]["appointment"]["id"] == reader.values["<appointment id>"]
    assert events[-2]["appointment"] == {**events[-2]["appointment"], "id": reader.values["<moved appointment id>"], "status": "CANCELLED"}
    assert set(reader.values) >= {p for captures in CAPTURES.values() for p in captures}
