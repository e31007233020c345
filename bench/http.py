"""`python -m bench http`: requests/s of the portal's hot queries through our
whole app against plain Strawberry answering constants of the same shape.

As real processes on free ports: our app (one uvicorn process on a scratch
PostgreSQL database seeded with the demo clinics) and bench/http_baseline.py
(one uvicorn process: plain Strawberry whose resolvers return our app's own
answers, and a bare Starlette JSON route). Three documents, as the pages
send them (portal/graphql/):

- `BookClinic`: the booking page's read of the clinic's public face;
- `Slots`: `availableSlots` for one practitioner and one day;
- `Me`: the portal's `me { appointments }` (upcoming and past), signed in
  as the demo client.

Our app is driven with each document's id (as the pages send it) and, for
comparison, with its text. No `wrk` or `oha` here: the load generator is
bench/http_load.py in a process of its own (raw asyncio streams, pre-encoded
requests, keep-alive connections); its own ceiling is measured against the
bare route. Timings are printed, never asserted; the correctness checks
(our answers are the demo's data, without errors, the same by id as by
text, and the baseline's the same bytes) make the command exit 1."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench.common import scratch_database, table
from bench.live_clients import ROOT, SERVER_ENV, start_server, stop_servers
from models import Appointment, Clinic
from portal.operations import page_documents
from resolvers.demo.clinics import DEMO_CLINICS, seed_demo

TINY = {"seconds": 0.5, "connections": 4}
TARGET = 2.0  # the issue's: each at least twice plain Strawberry's requests/s
QUIET = ["--no-access-log", "--log-level", "warning"]


@dataclass
class Case:
    name: str
    document: str  # its name in portal/graphql/
    variables: dict
    signed_in: bool = False


def _document(name: str):
    return next(d for d in page_documents() if d.name == name)


async def _post(http: httpx.AsyncClient, url: str, body: dict, token: str | None = None) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return (await http.post(f"{url}/graphql", json=body, headers=headers)).json()


async def _sign_in(http: httpx.AsyncClient, url: str) -> str:
    spec = DEMO_CLINICS[0]
    mutation = "mutation($s: String!, $e: String!, $p: String!) { signIn(clinicSlug: $s, email: $e, password: $p) { session { token } } }"
    body = await _post(http, url, {"query": mutation, "variables": {"s": spec.slug, "e": spec.client[1], "p": spec.client[2]}})
    return body["data"]["signIn"]["session"]["token"]


async def _cases(http: httpx.AsyncClient, url: str, slug: str) -> list[Case]:
    """The three documents, `Slots` on the first day (of the next fortnight)
    one practitioner of the first treatment has free times."""
    clinic = (await _post(http, url, {"documentId": _document("BookClinic").id, "variables": {"slug": slug}}))["data"]["clinic"]
    treatment = next(t for t in clinic["treatments"] if t["practitioners"])
    slots = {"slug": slug, "treatment": treatment["id"], "practitioner": treatment["practitioners"][0]["id"]}
    for ahead in range(1, 15):
        day = (date.today() + timedelta(days=ahead)).isoformat()
        found = await _post(http, url, {"documentId": _document("Slots").id, "variables": {**slots, "from": day, "to": day}})
        if found.get("data", {}).get("availableSlots"):
            slots |= {"from": day, "to": day}
            break
    return [Case("clinic public face", "BookClinic", {"slug": slug}), Case("availableSlots, one practitioner-day", "Slots", slots),
            Case("me { appointments }", "Me", {}, signed_in=True)]  # fmt: skip


def _bodies(case: Case) -> dict[str, bytes]:
    document = _document(case.document)
    by_id = {"documentId": document.id, "operationName": document.name, "variables": case.variables}
    by_text = {"query": document.text, "variables": case.variables}
    return {"id": json.dumps(by_id).encode(), "text": json.dumps(by_text).encode()}


async def _load(url: str, body: bytes, token: str | None, seconds: float, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as file:
        file.write(body)
    args = [sys.executable, "-m", "bench.http_load", url, file.name, "--connections", str(connections), "--seconds", str(seconds)]
    if token:
        args += ["--token", token]
    try:
        done = await asyncio.to_thread(subprocess.run, args, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120)
    finally:
        os.unlink(file.name)
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


async def _expected(case: Case, answer: dict, clinic: Clinic) -> list[str]:
    """What is wrong with our app's answer to `case`, checked against the database."""
    data = answer.get("data") or {}
    if answer.get("errors") or not data:
        return [f"{case.name}: {answer.get('errors')}"]
    if case.document == "BookClinic":
        return [] if data["clinic"]["name"] == clinic.name and data["clinic"]["treatments"] else [f"{case.name}: not the demo clinic"]
    if case.document == "Slots":
        return [] if data["availableSlots"] else [f"{case.name}: no free time in the next fortnight"]
    me = data["me"]
    shown = {e["node"]["id"] for part in ("upcoming", "past") for e in me[part]["edges"]}
    client = DEMO_CLINICS[0].client
    stored = {str(a.id) for a in await Appointment.filter(clinic_id=clinic.id, client__email=client[1])}
    return [] if shown and shown == stored else [f"{case.name}: {len(shown)} appointments shown, {len(stored)} stored"]


async def _our_answers(http: httpx.AsyncClient, url: str, token: str, cases: list[Case], clinic: Clinic) -> tuple[dict, list[str]]:
    """Our app's answer to each case (by id), and what is wrong with them."""
    answers, problems = {}, []
    for case in cases:
        bodies, who = _bodies(case), (token if case.signed_in else None)
        by_id = await _post(http, url, json.loads(bodies["id"]), who)
        by_text = await _post(http, url, json.loads(bodies["text"]), who)
        problems += await _expected(case, by_id, clinic)
        if by_id != by_text:
            problems.append(f"{case.name}: a different answer by id than by text")
        answers[case.document] = by_id.get("data")
    return answers, problems


async def _measure(case: Case, ours: str, plain: str, token: str, answer: dict, seconds: float, connections: int) -> tuple[dict, list[str]]:
    """req/s of our app by id and by text and of plain Strawberry, one after the other."""
    bodies, who = _bodies(case), (token if case.signed_in else None)
    runs = {
        "ours, by id": await _load(f"{ours}/graphql", bodies["id"], who, seconds, connections),
        "ours, by text": await _load(f"{ours}/graphql", bodies["text"], who, seconds, connections),
        "plain Strawberry": await _load(f"{plain}/graphql", bodies["text"], None, seconds, connections),
    }
    problems = []
    for label, result in runs.items():
        first = json.loads(result["first"] or "{}")
        if result["not_ok"] or first != {"data": answer}:
            problems.append(f"{case.name}, {label}: {result['not_ok']} answers not 200, first {str(first)[:200]}")
    return {label: result["per_second"] for label, result in runs.items()}, problems


def _row(case: Case, rates: dict) -> list[str]:
    base = rates["plain Strawberry"] or float("nan")
    ratio = rates["ours, by id"] / base
    return [case.name, *(f"{rate:,.0f}" for rate in rates.values()), f"{ratio:.2f}x", f"{rates['ours, by text'] / base:.2f}x",
            "met" if ratio >= TARGET else "missed"]  # fmt: skip


async def run(seconds: float = 5.0, connections: int = 32) -> dict:
    rows, rates = [], {}
    async with scratch_database("http") as runtime:
        await seed_demo(runtime, series=False)
        clinic = await Clinic.get(slug=DEMO_CLINICS[0].slug)
        servers: list = []
        answers_file = Path(tempfile.mkstemp(prefix="bench-http-answers-", suffix=".json")[1])
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                env = {**SERVER_ENV, "DATABASE_URL": runtime.settings.database_url, "REDIS_URL": ""}
                ours = await start_server(["uvicorn", "app:create_app", "--factory", *QUIET], env, http, servers)
                token = await _sign_in(http, ours.url)
                cases = await _cases(http, ours.url, clinic.slug)
                answers, problems = await _our_answers(http, ours.url, token, cases, clinic)
                if problems:
                    return {"problems": problems, "rates": rates}
                shapes = {"clinic": answers["BookClinic"]["clinic"], "slots": answers["Slots"]["availableSlots"], "me": answers["Me"]}
                answers_file.write_text(json.dumps(shapes))
                plain = await start_server(["uvicorn", "bench.http_baseline:app", *QUIET], {"BASELINE_ANSWERS": str(answers_file)}, http, servers)
                for case in cases:
                    if await _post(http, plain.url, json.loads(_bodies(case)["text"])) != {"data": answers[case.document]}:
                        problems.append(f"{case.name}: plain Strawberry's answer is not ours")
                ceiling = await _load(f"{plain.url}/bare", b"{}", None, seconds, connections)
                print(f"load generator: {connections} keep-alive connections, {seconds:g} s a run; its ceiling against a bare"
                      f" Starlette JSON route: {ceiling['per_second']:,.0f} req/s")  # fmt: skip
                for case in cases:
                    rates[case.name], wrong = await _measure(case, ours.url, plain.url, token, answers[case.document], seconds, connections)
                    problems += wrong
                    rows.append(_row(case, rates[case.name]))
        finally:
            stop_servers(servers)
            answers_file.unlink(missing_ok=True)
    print(table(["query", "ours by id req/s", "ours by text req/s", "plain Strawberry req/s", "id/plain", "text/plain",
                 f">= {TARGET:g}x"], rows))  # fmt: skip
    return {"problems": problems, "rates": rates, "ceiling": ceiling["per_second"]}


def problems(result: dict) -> list[str]:
    return list(result["problems"])
