"""Booking throughput on PostgreSQL: how many bookings a second one server
process takes from 64 (`Size.clients`) concurrent callers on distinct,
non-overlapping slots, what each costs in CPU and SQL statements, and how
that compares with a hand-written asyncpg transaction making the same
checks and writes, measured in the same run.

The clinic is booking_race's (bench/common.py `create_clinic`) with what a
working clinic has switched on, so that a booking writes what it writes
there: SMS (a confirmation and a reminder on the outbox), one webhook
endpoint, practitioners' new-appointment e-mails (for bookings clients
make), and a membership covering the treatment for a quarter of the clients
(a ledger row). Bookings are mixed as the booking page and the front desk
make them: of every ten, seven by signed-in clients (each signed in
beforehand, over HTTP), two by staff for an existing client and one by a
visitor typing in new details; each carries an idempotency key, as the
booking page sends.

Phases, each on slots of its own, each after a warm-up that is not counted:
  http       - `python -m cli serve` (one uvicorn process, with a
               redis-server of the benchmark's own so that it runs no outbox
               jobs, a worker's work, and its sign-in counters for the
               hundreds of callers stay out of the machine's Redis) and the
               callers in another process (aiohttp, keep-alive connections),
               sending the booking page's `bookAppointment`;
  in-process - `book_appointment` called by 64 asyncio tasks in this process:
               the same bookings without HTTP and GraphQL;
  baseline   - a hand-written asyncpg transaction per booking (pool of the
               same size, 64 tasks), with the same checks and rows (see
               `baseline_booking`).
For each: bookings/s, p50/p99 latency, CPU per booking of the process
serving (server or this one), of all PostgreSQL processes (read from
/proc, when they run on this machine) and of the whole machine (/proc/stat);
the rows each phase wrote per booking, which must be the same for all
three. SQL statements per booking are counted in this process for each
route (signed-in client, staff, typed-in new client), by the use case and
by the whole GraphQL request (no BEGIN/COMMIT).

Correctness checks (exit status 1): every booking answered without error,
the bookings in the table, zero overlapping active appointments of one
practitioner, and the same rows per booking on every side."""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from bench.booking_race import OVERLAPS_SQL, local, working_days
from bench.redis_server import RedisServer
from bench.common import (
    DEFAULT_POOL_MAXSIZE,
    sql_statements,
    World,
    create_clinic,
    median,
    percentile,
    scratch_database,
    table,
    verdict,
)

SLUG = "bench-speed"
TIMES_PER_DAY = 7  # 09:00, 10:15, ... 16:30: 75 minutes apart, buffer included
PASSWORD = "bench-client-password"
STAFF_EMAIL, STAFF_PASSWORD = "owner@bench-speed.example", "bench-owner-password"
TARGET_RATE, TARGET_CPU_MS, TARGET_RATIO = 1000.0, 1.0, 0.5
ROUTES = ("client", "staff", "new")
SERIALS = (0, 100_000, 200_000, 300_000)  # the first job number of each phase's jobs and of the statement counts
# The booking page's mutation (portal/static/book.js, BOOK).
BOOK = """mutation Book($input: BookAppointmentInput!) { bookAppointment(input: $input) {
  appointment { id start end treatment { name } practitioner { name } price { amount currency } }
  userErrors { code message field } } }"""
SIGN_IN = ("mutation($c: String!, $e: String!, $p: String!) { signIn(clinicSlug: $c, email: $e, password: $p) {"
           " session { token } userErrors { code message } } }")  # fmt: skip
STAFF_SIGN_IN = ("mutation($e: String!, $p: String!) { staffSignIn(email: $e, password: $p) {"
                 " session { token } userErrors { code message } } }")  # fmt: skip
# The tables a booking writes to, counted before and after each phase.
WRITTEN = ("appointment", "outbox_message", "ledger_entry", "idempotency_key", "clinic_event", "client", "diary_claim")


@dataclass(frozen=True)
class Size:
    practitioners: int = 24
    clients: int = 64  # concurrent callers
    bookings: int = 3000  # timed, per phase
    warmup: int = 192  # per phase, before the timing starts
    signed_in: int = 320  # clients signed in beforehand
    pool: int = DEFAULT_POOL_MAXSIZE  # connections: the server's, this process's, the baseline's


# The smallest run that still books every route on every side and checks
# the rows (tests/project/test_benchmarks.py, `python -m bench --tiny`).
TINY = {"practitioners": 2, "clients": 4, "bookings": 20, "warmup": 10, "signed_in": 8, "pool": 4}


def route_of(index: int) -> str:
    """Of every ten bookings: seven by signed-in clients, two by staff, one
    by a visitor typing in new details."""
    return {0: "staff", 5: "staff", 9: "new"}.get(index % 10, "client")


@dataclass(frozen=True)
class Job:
    """One booking: who makes it (route; `who`, the client's index for
    "client" and "staff"), and where."""

    route: str
    who: int
    practitioner: int
    start: str  # ISO, UTC
    key: str

    def details(self, tag: str) -> dict:
        n = int(self.key.rsplit("-", 1)[1])  # unique over the run: no new client matches another by phone
        return {"fullName": f"New Client {tag}{n}", "email": f"new-{tag}{n}@example.com", "phone": f"+447700{n:06d}"}


def make_jobs(slots: list[tuple[int, datetime]], size: Size, tag: str, first: int) -> list[Job]:
    """The same mix of routes and clients (members among them) in every
    phase; `first`: the number of the first job, unique over the run."""
    return [Job(route_of(i), i * 7 % size.signed_in, practitioner, start.isoformat(), f"{tag}-{first + i}")
            for i, (practitioner, start) in enumerate(slots)]  # fmt: skip


# -- machine figures ------------------------------------------------------


def proc_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> dict[int, float]:
    """CPU seconds so far of every process named postgres on this machine
    (the server's backends among them); empty when none can be seen."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found[int(entry.name)] = proc_cpu(int(entry.name))
            except OSError:
                continue
    return found


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])  # guest time is already counted in user
    tick = os.sysconf("SC_CLK_TCK")
    return (total - idle) / tick, total / tick


@dataclass
class Meter:
    """CPU used between `start()` and `stop()`: by one process (`pid`), by
    PostgreSQL, by the machine."""

    pid: int
    process: float = 0.0
    postgres: float | None = 0.0
    busy: float = 0.0
    wall: float = 0.0

    def start(self) -> Meter:
        self._process, self._pg, self._busy, self._wall = proc_cpu(self.pid), postgres_cpu(), machine_cpu()[0], time.perf_counter()
        return self

    def stop(self) -> Meter:
        self.wall = time.perf_counter() - self._wall
        self.process = proc_cpu(self.pid) - self._process
        after = postgres_cpu()
        self.postgres = sum(v - self._pg.get(pid, 0.0) for pid, v in after.items()) if after else None
        self.busy = machine_cpu()[0] - self._busy
        return self


def load_line(phase: str) -> None:
    print(f"\nload average before {phase} (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


# -- the clinic -----------------------------------------------------------


@dataclass
class Setup:
    world: World
    staff_id: uuid.UUID
    clients: list  # Client rows, signed_in of them, by index
    members: set[int]  # indexes of clients whose membership covers the treatment
    endpoint_id: uuid.UUID
    template: tuple[str, str]  # the new-appointment e-mail's subject and body


async def create_setup(rt, size: Size) -> Setup:
    from models import (
        Actor, Client, Clinic, EmailTemplate, LedgerAccount, LedgerEntry, LedgerKind, Membership, MembershipTreatment,
        Practitioner, PractitionerEmailSettings, StaffRole, StaffUser, WebhookEndpoint,
    )  # fmt: skip
    from resolvers.account.auth import hash_password

    world = await create_clinic(SLUG, size.practitioners)
    clinic = world.clinic
    sms = {"twilio_account_sid": "AC" + "0bench00" * 4, "twilio_auth_token": "bench-auth-token",
           "twilio_from_number": "+15005550006"}  # fmt: skip
    await Clinic.filter(id=clinic.id).update(**sms)
    for key, value in sms.items():
        setattr(clinic, key, value)
    for i, p in enumerate(world.practitioners):
        await Practitioner.filter(id=p.id).update(contact_email=f"practitioner{i}@bench-speed.example")
    # Hashed with the benchmark's cheap argon2 settings, which the server is given too (SERVER_ENV).
    owner = await StaffUser.create(clinic=clinic, email=STAFF_EMAIL, full_name="Owner",
                                   password_hash=await hash_password(rt, STAFF_PASSWORD), role=StaffRole.ADMIN)  # fmt: skip
    password_hash = await hash_password(rt, PASSWORD)
    await Client.bulk_create([
        Client(clinic_id=clinic.id, full_name=f"Client {i:04d}", email=f"client{i:04d}@example.com",
               phone=f"+4477009{i:05d}", password_hash=password_hash)
        for i in range(size.signed_in)
    ])  # fmt: skip
    clients = list(await Client.filter(clinic_id=clinic.id).order_by("email"))
    members = set(range(0, size.signed_in, 4))
    year = datetime.now(UTC) + timedelta(days=365)
    for i in sorted(members):
        course = await Membership.create(clinic=clinic, client=clients[i], name="Course of facials", expires_at=year)
        await MembershipTreatment.create(clinic=clinic, membership=course, treatment=world.treatment)
        await LedgerEntry.create(clinic_id=clinic.id, account=LedgerAccount.MEMBERSHIP, kind=LedgerKind.ISSUED,
                                 client_id=clients[i].id, membership_id=course.id, units=100_000,
                                 reason="Course bought", actor=Actor.SYSTEM)  # fmt: skip
    endpoint = await WebhookEndpoint.create(clinic=clinic, url="https://hooks.bench-speed.example/in",
                                            events=["BOOKED", "CANCELLED", "RESCHEDULED"], secret="bench-secret")  # fmt: skip
    template = await EmailTemplate.create(
        clinic=clinic, name="New appointment", subject="New appointment: {ClientFullName}",
        body="{ClientFullName} booked {TreatmentName} with {PractitionerName} at {AppointmentStartDateTime}.",
    )  # fmt: skip
    await PractitionerEmailSettings.create(clinic=clinic, new_appointment_template=template)
    return Setup(world, owner.id, clients, members, endpoint.id, (template.subject, template.body))


def all_slots(setup: Setup, count: int) -> list[tuple[int, datetime]]:
    """`count` distinct, non-overlapping slots over every practitioner and
    working days from the day after tomorrow, shuffled."""
    tz = ZoneInfo(setup.world.clinic.timezone)
    per_day = len(setup.world.practitioners) * TIMES_PER_DAY
    days = working_days(datetime.now(UTC).astimezone(tz).date() + timedelta(days=2), -(-count // per_day))
    slots = [(p, local(day, 9 * 60 + 75 * k, tz)) for day in days for p in range(len(setup.world.practitioners))
             for k in range(TIMES_PER_DAY)][:count]  # fmt: skip
    random.Random(11).shuffle(slots)
    return slots


async def rows_written() -> dict[str, int]:
    from models.db import connection

    _, rows = await connection().execute_query(
        "SELECT " + ", ".join(f"(SELECT count(*) FROM {t}) AS {t}" for t in WRITTEN)
    )
    return dict(rows[0])


def per_booking(before: dict[str, int], after: dict[str, int], bookings: int) -> dict[str, float]:
    return {t: round((after[t] - before[t]) / bookings, 3) for t in WRITTEN}


# -- ours, in this process ------------------------------------------------


def principal_and_request(setup: Setup, job: Job, tag: str):
    from resolvers.booking.book import BookingRequest, ClientDetails
    from resolvers.core.principal import ANONYMOUS, Principal, PrincipalKind

    world = setup.world
    common = dict(clinic_slug=SLUG, treatment_id=str(world.treatment.id), start=datetime.fromisoformat(job.start),
                  practitioner_id=str(world.practitioners[job.practitioner].id), idempotency_key=job.key,
                  requested_from="127.0.0.1")  # fmt: skip
    clinic_id = world.clinic.id
    if job.route == "client":
        return Principal(kind=PrincipalKind.CLIENT, clinic_id=clinic_id, client_id=setup.clients[job.who].id), BookingRequest(**common)
    if job.route == "staff":
        staff = Principal(kind=PrincipalKind.STAFF, clinic_id=clinic_id, staff_id=setup.staff_id, staff_is_admin=True)
        return staff, BookingRequest(**common, client_id=str(setup.clients[job.who].id))
    d = job.details(tag)
    return ANONYMOUS, BookingRequest(**common, client=ClientDetails(d["fullName"], d["email"], d["phone"]))


async def drive(jobs: list, one, concurrency: int) -> tuple[list[float], list[str]]:
    """Every job through `concurrency` workers: (latencies in s, errors)."""
    pending = iter(jobs)
    latencies: list[float] = []
    errors: list[str] = []

    async def worker() -> None:
        for job in pending:
            started = time.perf_counter()
            try:
                await one(job)
            except Exception as exc:  # noqa: BLE001 - counted and shown
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


async def in_process(rt, setup: Setup, warm: list[Job], jobs: list[Job], size: Size) -> dict:
    from resolvers.booking.book import book_appointment

    async def one(job: Job) -> None:
        principal, request = principal_and_request(setup, job, "in")
        await book_appointment(rt, principal, request)

    return await timed_phase("in-process", "the in-process phase", one, warm, jobs, size)


async def timed_phase(label: str, phase: str, one, warm: list[Job], jobs: list[Job], size: Size) -> dict:
    """`one` over the warm-up jobs, then timed and metered over `jobs`."""
    await drive(warm, one, size.clients)
    load_line(phase)
    before = await rows_written()
    meter = Meter(os.getpid()).start()
    latencies, errors = await drive(jobs, one, size.clients)
    meter.stop()
    return figures(label, meter, latencies, errors, len(jobs), per_booking(before, await rows_written(), len(jobs)))


def figures(label: str, meter: Meter, latencies: list[float], errors: list[str], count: int, rows: dict) -> dict:
    ms = [s * 1000 for s in latencies]
    result = {"label": label, "rate": count / meter.wall, "p50": median(ms), "p99": percentile(ms, 99),
              "cpu_ms": meter.process / count * 1000, "pg_ms": None if meter.postgres is None else meter.postgres / count * 1000,
              "machine_ms": meter.busy / count * 1000, "errors": len(errors), "first_error": errors[0] if errors else "",
              "rows": rows, "count": count, "wall": meter.wall}  # fmt: skip
    print(f"  {label}: {count} bookings in {meter.wall:.2f}s = {result['rate']:.0f}/s; latency p50 {result['p50']:.1f} ms, "
          f"p99 {result['p99']:.1f} ms; {len(errors)} errors" + (f" (first: {errors[0]})" if errors else ""))  # fmt: skip
    return result


# -- statements per route -------------------------------------------------


async def count_statements(rt, setup: Setup, jobs: list[Job]) -> dict[str, dict[str, int]]:
    """Per route: statements of `book_appointment`, and of the whole GraphQL
    request through the app (the credential looked up, the answer read)."""
    import httpx

    from app import create_app
    from resolvers.account.auth import issue_session
    from models import CredentialKind
    from resolvers.booking.book import book_appointment

    app = create_app(rt.settings, runtime=rt)
    clinic_id = setup.world.clinic.id
    tokens = {
        "client": (await issue_session(CredentialKind.CLIENT_SESSION, clinic_id, 1, client_id=setup.clients[1].id)).token,
        "staff": (await issue_session(CredentialKind.STAFF_SESSION, clinic_id, 1, staff_id=setup.staff_id)).token,
        "new": None,
    }
    counts: dict[str, dict[str, int]] = {}
    by_route = {route: [j for j in jobs if j.route == route] for route in ROUTES}
    await rt.clinics.facts(clinic_id)  # counted as a process that has served the clinic before books
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        for route in ROUTES:
            # Client 1: the token's, and without a membership (a member's booking also writes its ledger row).
            use_case, request_job = replace(by_route[route][0], who=1), replace(by_route[route][1], who=1)
            principal, request = principal_and_request(setup, use_case, "sql")
            with sql_statements() as direct:
                await book_appointment(rt, principal, request)
            headers = {"authorization": f"Bearer {tokens[route]}"} if tokens[route] else {}
            with sql_statements() as whole:
                answer = (await http.post("/graphql", json={"query": BOOK, "variables": {"input": gql_input(setup, request_job, "sql")}},
                                          headers=headers)).json()  # fmt: skip
            problem = booking_problem(answer)
            if problem:
                raise RuntimeError(f"counting statements, {route}: {problem}")
            counts[route] = {"use_case": len(direct), "request": len(whole)}
            if os.environ.get("BENCH_SHOW_SQL"):
                print(f"--- {route}: book_appointment\n" + "\n".join(direct) + f"\n--- {route}: the request\n" + "\n".join(whole))
    return counts


# -- ours, over HTTP ------------------------------------------------------


def gql_input(setup: Setup, job: Job, tag: str) -> dict:
    world = setup.world
    data = {"clinicSlug": SLUG, "treatmentId": str(world.treatment.id), "start": job.start,
            "practitionerId": str(world.practitioners[job.practitioner].id), "idempotencyKey": job.key}  # fmt: skip
    if job.route == "staff":
        data["clientId"] = str(setup.clients[job.who].id)
    if job.route == "new":
        data["client"] = job.details(tag)
    return data


def booking_problem(answer: dict) -> str | None:
    payload = (answer.get("data") or {}).get("bookAppointment") or {}
    if payload.get("appointment") and not payload.get("userErrors"):
        return None
    return str(payload.get("userErrors") or answer.get("errors") or answer)[:300]


async def over_http(setup: Setup, warm: list[Job], jobs: list[Job], size: Size, db_url: str) -> dict:
    """The server and the callers' process; the server's CPU is read around
    the timed bookings only."""
    import httpx

    from bench.live_clients import SERVER_ENV, start_server, stop_servers

    redis = RedisServer(tempfile.mkdtemp(prefix="bench-booking-speed-redis-"))
    redis.start()
    redis_url = redis.url
    env = {**SERVER_ENV, "SIGNIN_PER_IP": "100000", "DATABASE_URL": db_url, "REDIS_URL": redis_url}
    plan = {
        "staff": [STAFF_EMAIL, STAFF_PASSWORD],
        "clients": [c.email for c in setup.clients], "password": PASSWORD,
        "warm": [[asdict_job(j), gql_input(setup, j, "http")] for j in warm],
        "jobs": [[asdict_job(j), gql_input(setup, j, "http")] for j in jobs],
        "concurrency": size.clients,
    }  # fmt: skip
    servers: list = []
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="bench-booking-speed-", delete=False) as f:
        json.dump(plan, f)
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            server = await start_server(["cli", "serve"], env, http, servers)
        print(f"  server: `python -m cli serve` pid {server.process.pid} on port {server.port}, Redis {redis_url}, "
              f"pool max {size.pool}")  # fmt: skip
        callers = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.booking_speed", "--callers", f.name, server.url,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent,
            limit=2**24,  # the answer is one line of JSON with every latency
        )  # fmt: skip
        try:
            line = (await callers.stdout.readline()).decode().strip()
            if line != "READY":
                raise RuntimeError(f"the callers' process did not get ready: {line!r}")
            load_line("the HTTP phase")
            before = await rows_written()
            meter, callers_cpu, own_cpu = Meter(server.process.pid).start(), proc_cpu(callers.pid), proc_cpu(os.getpid())
            callers.stdin.write(b"GO\n")
            await callers.stdin.drain()
            line = (await callers.stdout.readline()).decode().strip()
            meter.stop()
            if not line:
                raise RuntimeError("the callers' process ended without an answer (its errors are above)")
            callers_cpu, own_cpu = proc_cpu(callers.pid) - callers_cpu, proc_cpu(os.getpid()) - own_cpu
            done = json.loads(line)
            meter.wall = done["wall"]  # from the first request sent to the last answer read
            await callers.wait()
        finally:
            if callers.returncode is None:
                callers.kill()
                await callers.wait()
        result = figures("over HTTP", meter, done["latencies"], done["errors"], len(jobs),
                         per_booking(before, await rows_written(), len(jobs)))  # fmt: skip
        result["callers_ms"] = callers_cpu / len(jobs) * 1000
        result["bench_ms"] = own_cpu / len(jobs) * 1000
        return result
    finally:
        stop_servers(servers)
        redis.stop()
        shutil.rmtree(redis.folder, ignore_errors=True)
        os.unlink(f.name)


def asdict_job(job: Job) -> dict:
    return job.__dict__


async def callers_main(plan_path: str, url: str) -> None:
    """The callers' process: signs everyone in, books the warm-up, says
    READY, waits for GO, books the timed jobs and prints one JSON line."""
    import aiohttp

    plan = json.loads(Path(plan_path).read_text())
    connector = aiohttp.TCPConnector(limit=plan["concurrency"])
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def post(query: str, variables: dict, token: str | None) -> dict:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            async with http.post(f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers) as answer:
                return await answer.json()

        async def sign_in(email: str) -> str:
            answer = await post(SIGN_IN, {"c": SLUG, "e": email, "p": plan["password"]}, None)
            return answer["data"]["signIn"]["session"]["token"]

        gate = asyncio.Semaphore(8)

        async def gated(email: str) -> str:
            async with gate:
                return await sign_in(email)

        staff = (await post(STAFF_SIGN_IN, {"e": plan["staff"][0], "p": plan["staff"][1]}, None))["data"]["staffSignIn"]["session"]["token"]
        tokens = await asyncio.gather(*(gated(email) for email in plan["clients"]))

        async def one(item) -> None:
            job, data = item
            token = {"client": tokens[job["who"]], "staff": staff, "new": None}[job["route"]]
            problem = booking_problem(await post(BOOK, {"input": data}, token))
            if problem:
                raise RuntimeError(problem)

        _, errors = await drive(plan["warm"], one, plan["concurrency"])
        if errors:
            print(f"warm-up: {len(errors)} bookings failed (first: {errors[0]})", file=sys.stderr, flush=True)
        print("READY", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        started = time.perf_counter()
        latencies, errors = await drive(plan["jobs"], one, plan["concurrency"])
        wall = time.perf_counter() - started
    print(json.dumps({"wall": wall, "latencies": latencies, "errors": errors}), flush=True)


# -- the baseline ---------------------------------------------------------

# What a booking needs to know about its practitioner, client and roster, in
# one statement: the practitioner active and offering the treatment, working
# over the whole appointment ($6: staff, who may book outside working hours):
# rostered that weekday or given extra hours that day, and not off then; and
# the client's contact details (none for a new client).
FACTS = """
SELECT p.name, p.contact_email,
       ($6 OR ((EXISTS (SELECT 1 FROM roster_entry r WHERE r.clinic_id = $1 AND r.practitioner_id = p.id
                        AND r.weekday = $7 AND r.start_minute <= $8 AND r.end_minute >= $9)
                OR EXISTS (SELECT 1 FROM roster_exception x WHERE x.clinic_id = $1 AND x.practitioner_id = p.id
                           AND x.date = $10 AND x.kind = 'EXTRA' AND x.start_minute <= $8 AND x.end_minute >= $9))
               AND NOT EXISTS (SELECT 1 FROM roster_exception x WHERE x.clinic_id = $1 AND x.practitioner_id = p.id
                               AND x.date = $10 AND x.kind = 'OFF'
                               AND (x.start_minute IS NULL OR (x.start_minute < $9 AND x.end_minute > $8))))) AS working,
       c.full_name, c.phone, c.email
  FROM practitioner p JOIN practitioner_treatment pt ON pt.practitioner_id = p.id AND pt.treatment_id = $3
  LEFT JOIN client c ON c.id = $4 AND c.clinic_id = $1
 WHERE p.id = $2 AND p.clinic_id = $1 AND p.active AND ($5 OR c.id IS NOT NULL)
"""
BUSY = """
SELECT EXISTS (SELECT 1 FROM appointment WHERE clinic_id = $1 AND practitioner_id = $2 AND status <> 'CANCELLED'
                AND occupied_end > $3 AND occupied_start < $4)
    OR EXISTS (SELECT 1 FROM slot_hold WHERE clinic_id = $1 AND practitioner_id = $2 AND status = 'HELD'
                AND expires_at > now() AND occupied_end > $3 AND occupied_start < $4)
"""
MEMBERSHIP = """
SELECT m.id FROM membership m JOIN membership_treatment mt ON mt.membership_id = m.id AND mt.treatment_id = $3
 WHERE m.clinic_id = $1 AND m.client_id = $2 AND (m.expires_at IS NULL OR m.expires_at > $4)
   AND (SELECT coalesce(sum(units), 0) FROM ledger_entry l WHERE l.membership_id = m.id) > 0
 ORDER BY m.expires_at NULLS LAST, m.created_at LIMIT 1 FOR UPDATE OF m
"""
# Typed-in details that belong to a client already need that client's code.
KNOWN_CLIENT = "SELECT EXISTS (SELECT 1 FROM client WHERE clinic_id = $1 AND (email = $2 OR phone = $3))"
NEW_CLIENT = ("INSERT INTO client (id, clinic_id, full_name, email, phone, language, created_at)"
              " VALUES ($1, $2, $3, $4, $5, 'en', $6)")  # fmt: skip
LEDGER = ("INSERT INTO ledger_entry (id, clinic_id, account, kind, client_id, membership_id, appointment_id, units,"
          " reason, actor, created_at) VALUES ($1, $2, 'MEMBERSHIP', 'USED', $3, $4, $5, -1, 'Used by a booking',"
          " 'SYSTEM', $6)")  # fmt: skip
APPOINTMENT = ("INSERT INTO appointment (id, clinic_id, practitioner_id, treatment_id, client_id, start_at, end_at,"
               " occupied_start, occupied_end, status, source, price, currency, created_at)"
               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'BOOKED', $10, $11, $12, $13)")  # fmt: skip
OUTBOX = ("INSERT INTO outbox_message (id, clinic_id, kind, payload, status, due_at, attempts, created_at, appointment_id)"
          " SELECT unnest($1::uuid[]), $2, unnest($3::text[]), unnest($4::jsonb[]), 'PENDING', unnest($5::timestamptz[]),"
          " 0, $6, $7")  # fmt: skip
IDEMPOTENCY = ("INSERT INTO idempotency_key (id, clinic_id, caller, key, request_hash, created_at, expires_at, appointment_id)"
               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")  # fmt: skip
EVENT = """
WITH head AS (INSERT INTO event_head (clinic_id, position) VALUES ($1, 1)
              ON CONFLICT (clinic_id) DO UPDATE SET position = event_head.position + 1 RETURNING position)
INSERT INTO clinic_event (clinic_id, position, occurred_at, published, kind, appointment_id, practitioner_id, client_id,
                          span_start, span_end)
SELECT $1, head.position, $2, FALSE, 'BOOKED', $3, $4, $5, $6, $7 FROM head
"""
SOURCE = {"client": "PORTAL", "staff": "STAFF", "new": "ONLINE"}


def fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


async def baseline_booking(conn: asyncpg.Connection, setup: Setup, job: Job) -> None:
    """One booking by hand, in one transaction. Taken as known (read once
    at the start, as a cache would hold them): the clinic (its id, time
    zone, currency, SMS being set up, its reminder lead time of 24 hours),
    the treatment (its length, buffer, price; the clinic has no loyalty
    programme to discount it), the webhook endpoint and the e-mail
    template. Read or checked per booking: the practitioner offering the
    treatment and rostered then (for clients), the client (typed-in details
    matching none), the slot free of appointments and live holds, a
    membership session left; written: the new client, the appointment, the
    membership's ledger row, the outbox rows (SMS confirmation and reminder,
    webhook, the practitioner's e-mail for bookings clients make), the
    idempotency key, the event and its head. The exclusion constraint and the unique keys have the last word
    (a repeated idempotency key fails on its unique key, where a real
    handler would then read what the first request booked)."""
    world, clinic = setup.world, setup.world.clinic
    treatment, tz = world.treatment, ZoneInfo(clinic.timezone)
    start = datetime.fromisoformat(job.start)
    end = start + timedelta(minutes=treatment.duration_minutes)
    occupied_end = end + timedelta(minutes=treatment.buffer_after_minutes)
    local_start, local_end = start.astimezone(tz), occupied_end.astimezone(tz)
    practitioner_id = world.practitioners[job.practitioner].id
    now = datetime.now(UTC)
    appointment_id = uuid.uuid4()
    client_id = setup.clients[job.who].id if job.route != "new" else uuid.uuid4()
    # The booking window and the slot grid, as a booking checks them (staff are held to neither).
    earliest, latest = now + timedelta(minutes=clinic.booking_min_notice_minutes), now + timedelta(days=clinic.booking_horizon_days)
    if job.route != "staff" and not earliest <= start <= latest:
        raise RuntimeError("outside the booking window")
    if job.route != "staff" and (local_start.hour * 60 + local_start.minute) % clinic.slot_step_minutes:
        raise RuntimeError("not on the clinic's slot grid")
    async with conn.transaction():
        facts = await conn.fetchrow(
            FACTS, clinic.id, practitioner_id, treatment.id, client_id, job.route == "new", job.route == "staff",
            local_start.weekday(), local_start.hour * 60 + local_start.minute, local_end.hour * 60 + local_end.minute,
            local_start.date(),
        )  # fmt: skip
        if facts is None or not facts["working"]:
            raise RuntimeError("practitioner, client or roster refused")
        if job.route == "new":
            d = job.details("base")
            name, phone, email = d["fullName"], d["phone"], d["email"]
            if await conn.fetchval(KNOWN_CLIENT, clinic.id, email, phone):
                raise RuntimeError("these details belong to a client: a verification code is needed")
            await conn.execute(NEW_CLIENT, client_id, clinic.id, name, email, phone, now)
        else:
            name, phone, email = facts["full_name"], facts["phone"], facts["email"]
        if await conn.fetchval(BUSY, clinic.id, practitioner_id, start, occupied_end):
            raise RuntimeError("slot taken")
        membership = None
        if job.route != "new":  # a client new this moment holds no membership
            membership = await conn.fetchval(MEMBERSHIP, clinic.id, client_id, treatment.id, start)
        await conn.execute(APPOINTMENT, appointment_id, clinic.id, practitioner_id, treatment.id, client_id, start, end,
                           start, occupied_end, SOURCE[job.route], treatment.price, clinic.currency, now)  # fmt: skip
        if membership is not None:
            await conn.execute(LEDGER, uuid.uuid4(), clinic.id, client_id, membership, appointment_id, now)
        when = local_start.strftime("%a %d %b at %H:%M")
        sms = f"{clinic.name}: your {treatment.name} with {facts['name']} is booked for {when}. Price {treatment.price} {clinic.currency}."
        kinds, payloads, due = ["sms", "sms", "webhook"], [
            {"to": phone, "body": sms, "client_id": str(client_id), "purpose": "confirmation"},
            {"to": phone, "body": "Reminder: " + sms, "client_id": str(client_id), "purpose": "reminder"},
            {"endpoint_id": str(setup.endpoint_id), "type": "appointment.booked", "occurred_at": now.isoformat(),
             "data": {"appointment": {"id": str(appointment_id), "start": start.isoformat(), "end": end.isoformat(),
                                      "practitionerId": str(practitioner_id), "clientId": str(client_id),
                                      "treatmentId": str(treatment.id), "status": "BOOKED"}}},
        ], [now, start - timedelta(hours=24), now]  # fmt: skip
        if job.route != "staff":
            values = {"ClientFullName": name, "TreatmentName": treatment.name, "PractitionerName": facts["name"],
                      "AppointmentStartDateTime": when}  # fmt: skip
            kinds.append("email")
            payloads.append({"to": [facts["contact_email"]], "subject": fill(setup.template[0], values),
                             "body": fill(setup.template[1], values), "purpose": "practitioner_new_appointment"})  # fmt: skip
            due.append(now)
        await conn.execute(OUTBOX, [uuid.uuid4() for _ in kinds], clinic.id, kinds, [json.dumps(p) for p in payloads], due,
                           now, appointment_id)  # fmt: skip
        caller = {"client": f"CLIENT:{client_id}", "staff": f"STAFF:{setup.staff_id}", "new": f"ANONYMOUS:{clinic.id}:{email}"}[job.route]
        await conn.execute(IDEMPOTENCY, uuid.uuid4(), clinic.id, caller, job.key, job.key, now, now + timedelta(hours=24), appointment_id)
        await conn.execute(EVENT, clinic.id, now, appointment_id, practitioner_id, client_id, start, occupied_end)


async def baseline(setup: Setup, warm: list[Job], jobs: list[Job], size: Size, db_url: str) -> dict:
    dsn = db_url.split("?")[0].replace("postgres://", "postgresql://", 1)
    pool = await asyncpg.create_pool(dsn, min_size=size.pool, max_size=size.pool)
    try:

        async def one(job: Job) -> None:
            async with pool.acquire() as conn:
                await baseline_booking(conn, setup, job)

        return await timed_phase("baseline (asyncpg)", "the baseline phase", one, warm, jobs, size)
    finally:
        await pool.close()


# -- the run --------------------------------------------------------------


def problems(result: dict) -> list[str]:
    """What went wrong in a run, apart from timings (none: all is well)."""
    found = []
    for side in ("http", "in_process", "baseline"):
        r = result[side]
        if r["errors"]:
            found.append(f"{r['label']}: {r['errors']} bookings failed (first: {r['first_error']})")
    if result["overlaps"]:
        found.append("two active appointments of one practitioner overlap")
    if result["booked"] != result["expected_booked"]:
        found.append(f"the table holds {result['booked']} appointments, not the {result['expected_booked']} booked")
    ours = result["in_process"]["rows"]
    for side in ("http", "baseline"):
        if result[side]["rows"] != ours:
            found.append(f"{result[side]['label']} wrote other rows per booking than in-process: {result[side]['rows']} vs {ours}")
    return found


async def run(**changes: int) -> dict:
    """`changes`: the fields of `Size` to change (TINY for a quick check)."""
    size = Size(**changes)
    from models import Appointment
    from models.db import connection

    async with scratch_database("speed", pool_maxsize=size.pool) as rt:
        db_url = rt.settings.database_url
        setup = await create_setup(rt, size)
        per_phase = size.warmup + size.bookings
        slots = all_slots(setup, 3 * per_phase + 2 * 3 * 10)
        phases = [slots[i * per_phase:(i + 1) * per_phase] for i in range(3)]
        extra = slots[3 * per_phase:]
        jobs = {name: make_jobs(phase, size, name, first) for name, phase, first in zip(("http", "in", "base"), phases, SERIALS)}
        print(f"booking speed: {size.clients} concurrent callers, {size.bookings} timed bookings per phase after "
              f"{size.warmup} to warm up, {size.practitioners} practitioners, {size.signed_in} signed-in clients "
              f"({len(setup.members)} with a membership), pool max {size.pool} connections; routes of every ten "
              f"bookings: 7 signed-in client, 2 staff, 1 typed-in new client")  # fmt: skip

        statements = await count_statements(rt, setup, make_jobs(extra, size, "sql", SERIALS[3]))
        print("\nSQL statements per booking (no BEGIN/COMMIT; a client without a membership), counted in this process:")
        print(table(["route", "book_appointment", "whole GraphQL request"],
                    [[r, statements[r]["use_case"], statements[r]["request"]] for r in ROUTES]))  # fmt: skip

        print("\nphase 1, over HTTP:")
        http = await over_http(setup, jobs["http"][:size.warmup], jobs["http"][size.warmup:], size, db_url)
        print("\nphase 2, in-process:")
        inner = await in_process(rt, setup, jobs["in"][:size.warmup], jobs["in"][size.warmup:], size)
        print("\nphase 3, baseline:")
        base = await baseline(setup, jobs["base"][:size.warmup], jobs["base"][size.warmup:], size, db_url)

        _, rows = await connection().execute_query(OVERLAPS_SQL)
        overlaps = rows[0]["overlaps"]
        booked = await Appointment.filter(clinic_id=setup.world.clinic.id).exclude(status="CANCELLED").count()
    expected = 3 * per_phase + 2 * len(ROUTES)
    result = {"http": http, "in_process": inner, "baseline": base, "statements": statements,
              "overlaps": overlaps, "booked": booked, "expected_booked": expected}  # fmt: skip
    report(result, size)
    return result


def report(result: dict, size: Size) -> None:
    http, inner, base = result["http"], result["in_process"], result["baseline"]
    print(f"\n  active appointments in the table: {result['booked']} (expected {result['expected_booked']}); "
          f"overlapping active appointments of one practitioner (SQL): {result['overlaps']}")  # fmt: skip
    print("  rows written per booking:")
    print(table(["table"] + [r["label"] for r in (http, inner, base)],
                [[t] + [r["rows"][t] for r in (http, inner, base)] for t in WRITTEN]))  # fmt: skip

    def rest(r: dict) -> float:
        return r["machine_ms"] - r["cpu_ms"] - (r["pg_ms"] or 0) - r.get("callers_ms", 0) - r.get("bench_ms", 0)

    def pg(r: dict) -> str:
        return "n/a" if r["pg_ms"] is None else f"{r['pg_ms']:.2f}"

    print()
    print(table(
        ["measure", "over HTTP", "in-process", "baseline"],
        [
            [f"bookings/s ({size.clients} callers)", f"{http['rate']:.0f}", f"{inner['rate']:.0f}", f"{base['rate']:.0f}"],
            ["latency p50 ms", f"{http['p50']:.1f}", f"{inner['p50']:.1f}", f"{base['p50']:.1f}"],
            ["latency p99 ms", f"{http['p99']:.1f}", f"{inner['p99']:.1f}", f"{base['p99']:.1f}"],
            ["CPU ms per booking, serving process (Python)", f"{http['cpu_ms']:.2f}", f"{inner['cpu_ms']:.2f}", f"{base['cpu_ms']:.2f}"],
            ["CPU ms per booking, PostgreSQL processes", pg(http), pg(inner), pg(base)],
            ["CPU ms per booking, whole machine", f"{http['machine_ms']:.2f}", f"{inner['machine_ms']:.2f}", f"{base['machine_ms']:.2f}"],
            ["CPU ms per booking, the callers' process", f"{http['callers_ms']:.2f}", "", ""],
            ["CPU ms per booking, this process (waiting)", f"{http['bench_ms']:.2f}", "", ""],
            ["CPU ms per booking, the rest of the machine", f"{rest(http):.2f}", f"{rest(inner):.2f}", f"{rest(base):.2f}"],
            ["ratio to the baseline's bookings/s", f"{http['rate'] / base['rate']:.2f}", f"{inner['rate'] / base['rate']:.2f}", "1.00"],
        ],
    ))  # fmt: skip
    print("\ntargets (reported, not asserted):")
    print(f"  >= {TARGET_RATE:.0f} bookings/s over HTTP: {http['rate']:.0f} -> {verdict(http['rate'] >= TARGET_RATE)}")
    print(f"  <= {TARGET_CPU_MS:.1f} ms Python CPU per booking (server process): {http['cpu_ms']:.2f} -> "
          f"{verdict(http['cpu_ms'] <= TARGET_CPU_MS)}")  # fmt: skip
    ratio = http["rate"] / base["rate"]
    print(f"  >= {TARGET_RATIO} x the hand-written asyncpg transaction: {ratio:.2f} -> {verdict(ratio >= TARGET_RATIO)}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--callers":
        asyncio.run(callers_main(sys.argv[2], sys.argv[3]))
    else:
        asyncio.run(run())
