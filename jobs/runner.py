"""Carrying out outbox rows: claim, run the handler, record the outcome.

Whoever runs the jobs (the API process on the embedded default, SAQ
workers with REDIS_URL) owns a `JobContext` (jobs/context.py) for as long as
it runs and calls `deliver(row_id, jobs)`. A row is claimed with one
conditional UPDATE that moves its lease into the future and counts the
attempt; only the claimer runs it, and it writes the outcome only while the
attempt count is still its own. A runner killed mid-send leaves the lease
to expire and `in_doubt_since` set, so the next claimer asks the provider
what happened before it sends again (see jobs/sms.py).

The one window left: the provider accepted the message but the runner died
(or timed out) before recording it, *and* the provider cannot be asked
afterwards. For Twilio it can: the SMS handler lists recent messages to the
number and keeps the one that matches instead of sending a second."""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F, Q

from jobs.context import JobContext
from jobs.handlers import HANDLERS
from jobs.purposes import ABOUT_THE_BOOKING
from jobs.registry import Cancelled, InDoubt, Permanent
from models import Appointment, AppointmentStatus, OutboxMessage, OutboxStatus, utcnow
from settings import Settings
from telemetry import metrics

log = logging.getLogger("clinicportal.jobs")

# Purposes that only make sense while their appointment is still booked
# (the planner drops them when it is cancelled or moved; this catches one
# claimed as that change committed). A reminder also needs it still ahead.
NEEDS_BOOKED_APPOINTMENT = ABOUT_THE_BOOKING
MAX_ERROR = 2000


def retry_delay(settings: Settings, attempts: int) -> float:
    """Exponential backoff with jitter: base, 2×base, 4×base ... capped."""
    delay = min(settings.jobs_retry_max_seconds, settings.jobs_retry_base_seconds * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.8, 1.2)


def _claimable(now: datetime) -> Q:
    return Q(status=OutboxStatus.PENDING, due_at__lte=now) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))


async def due(limit: int, now: datetime | None = None) -> list[tuple[uuid.UUID, int]]:
    """Rows ready to run (id and attempts so far), oldest first. Kinds no
    handler here knows are left for a runner that does."""
    now = now or utcnow()
    rows = (
        await OutboxMessage.filter(_claimable(now), kind__in=list(HANDLERS))
        .order_by("due_at")
        .limit(limit)
        .values_list("id", "attempts")
    )
    return [(row_id, attempts) for row_id, attempts in rows]


async def claim(row_id: uuid.UUID, settings: Settings, now: datetime) -> OutboxMessage | None:
    lease = now + timedelta(seconds=settings.jobs_lease_seconds)
    won = await OutboxMessage.filter(_claimable(now), id=row_id, kind__in=list(HANDLERS)).update(
        lease_until=lease, attempts=F("attempts") + 1
    )
    return await OutboxMessage.get_or_none(id=row_id) if won == 1 else None


async def _finish(msg: OutboxMessage, **change: Any) -> bool:
    """Writes the outcome if the claim is still ours."""
    change.setdefault("lease_until", None)
    return await OutboxMessage.filter(id=msg.id, attempts=msg.attempts).update(**change) == 1


async def _outdated(msg: OutboxMessage, now: datetime) -> str | None:
    """Why the message is no longer worth sending, if it is not. A payload
    may say when it stops being of use (`expires_at`, ISO 8601: a sign-in
    code)."""
    expires_at = msg.payload.get("expires_at")
    if expires_at and datetime.fromisoformat(expires_at) <= now:
        return "It expired before it could be sent."
    purpose = msg.payload.get("purpose")
    if purpose not in NEEDS_BOOKED_APPOINTMENT or msg.appointment_id is None:
        return None
    found = await Appointment.filter(id=msg.appointment_id, clinic_id=msg.clinic_id).values_list("status", "start_at")
    if not found or found[0][0] != AppointmentStatus.BOOKED:
        return "The appointment is no longer booked."
    if purpose == "reminder" and found[0][1] <= now:  # retried until after the start
        return "The appointment has already started."
    return None


async def deliver(row_id: uuid.UUID, jobs: JobContext) -> str:
    """Runs one row if it can be claimed; answers what became of it. How
    long that took, and a row given up on, are counted (telemetry/metrics.py)."""
    settings = jobs.settings
    now = utcnow()
    msg = await claim(row_id, settings, now)
    if msg is None:
        return "not claimed"
    started, outcome = time.perf_counter(), "interrupted"
    try:
        outcome = await _carry_out(msg, jobs, now)
        return outcome
    except Exception:
        outcome = "failed"
        raise
    finally:
        metrics.JOB_DURATION.labels(msg.kind, str(outcome).lower()).observe(time.perf_counter() - started)
        if outcome == OutboxStatus.DEAD:
            metrics.DEAD_LETTERS.labels(msg.kind).inc()


async def _carry_out(msg: OutboxMessage, jobs: JobContext, now: datetime) -> str:
    settings = jobs.settings
    outdated = await _outdated(msg, now)
    if outdated is not None:
        await _finish(msg, status=OutboxStatus.CANCELLED, last_error=outdated, in_doubt_since=None)
        return OutboxStatus.CANCELLED
    handler = HANDLERS[msg.kind]
    if msg.in_doubt_since is None:
        await OutboxMessage.filter(id=msg.id, attempts=msg.attempts).update(in_doubt_since=now)
    elif msg.attempts > 1:
        log.info("outbox %s: attempt %d follows one that may have reached the provider", msg.id, msg.attempts)
    try:
        result = await handler(msg, jobs) or {}
    except asyncio.CancelledError:
        # Stopped mid-send (SIGTERM, a SAQ time-out): free the row for the
        # next runner at once; it is still in doubt, so that runner looks first.
        await asyncio.shield(_finish(msg))
        raise
    except Cancelled as exc:
        await _finish(msg, status=OutboxStatus.CANCELLED, last_error=str(exc)[:MAX_ERROR], in_doubt_since=None)
        return OutboxStatus.CANCELLED
    except Permanent as exc:
        log.warning("outbox %s (%s) dead: %s", msg.id, msg.kind, exc)
        await _finish(msg, status=OutboxStatus.DEAD, last_error=str(exc)[:MAX_ERROR], in_doubt_since=None)
        return OutboxStatus.DEAD
    except Exception as exc:  # noqa: BLE001 - any other failure is retried
        return await _failed(msg, exc, settings)
    await _finish(
        msg,
        status=OutboxStatus.SENT,
        sent_at=utcnow(),
        result=result,
        provider_id=result.get("provider_id"),
        in_doubt_since=None,
        last_error=None,
    )
    if result.get("provider_status"):
        # A status callback may have come first; it knows better.
        await OutboxMessage.filter(id=msg.id, provider_status__isnull=True).update(provider_status=result["provider_status"])
    return OutboxStatus.SENT


async def _failed(msg: OutboxMessage, exc: Exception, settings: Settings) -> str:
    error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
    in_doubt = {} if isinstance(exc, InDoubt) else {"in_doubt_since": None}
    if msg.attempts >= settings.jobs_max_attempts:
        log.warning("outbox %s (%s) dead after %d attempts: %s", msg.id, msg.kind, msg.attempts, error)
        await _finish(msg, status=OutboxStatus.DEAD, last_error=error, **in_doubt)
        return OutboxStatus.DEAD
    delay = retry_delay(settings, msg.attempts)
    log.info("outbox %s (%s) attempt %d failed, retry in %.1fs: %s", msg.id, msg.kind, msg.attempts, delay, error)
    await _finish(msg, due_at=utcnow() + timedelta(seconds=delay), last_error=error, **in_doubt)
    return "retry"


async def retry_dead(clinic_id: uuid.UUID, row_id: uuid.UUID) -> bool:
    """Puts a dead row back in line with a fresh set of attempts."""
    return (
        await OutboxMessage.filter(id=row_id, clinic_id=clinic_id, status=OutboxStatus.DEAD).update(
            status=OutboxStatus.PENDING, attempts=0, due_at=utcnow(), lease_until=None
        )
        == 1
    )


class InProcessRunner:
    """The embedded default: the API process runs due rows itself, polling
    every `jobs_poll_seconds` and woken early after a commit that queued work.
    Its `JobContext` (the HTTP client its sends share) lives from `start` to
    `stop`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jobs = JobContext(settings)
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._slots = asyncio.Semaphore(settings.jobs_concurrency)
        self._running: set[uuid.UUID] = set()
        self._inflight: set[asyncio.Task] = set()  # held, so stop() can end them before the database closes

    async def start(self) -> None:
        from jobs import cleanup

        self._tasks = [
            asyncio.create_task(self._loop(), name="outbox-runner"),
            asyncio.create_task(cleanup.every(self.settings), name="cleanup"),
        ]

    async def stop(self) -> None:
        """Ends the loop, the clean-up and the sends in flight; a cancelled
        send frees its row (still in doubt) while the database is open."""
        pending = [*self._tasks, *self._inflight]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = []
        await self.jobs.aclose()

    def wake(self) -> None:
        """Look for due rows now: called after a commit that queued some
        (`Runtime.wake_jobs`)."""
        self._wake.set()

    async def _one(self, row_id: uuid.UUID) -> None:
        try:
            await deliver(row_id, self.jobs)
        except Exception:  # noqa: BLE001 - the database went away; the lease runs out and it is retried
            log.exception("outbox %s: runner failed", row_id)
        finally:
            self._running.discard(row_id)
            self._slots.release()

    async def _loop(self) -> None:
        while True:
            try:
                found = [row_id for row_id, _ in await due(self.settings.jobs_concurrency * 4) if row_id not in self._running]
            except Exception:  # noqa: BLE001
                log.exception("outbox runner could not read due rows")
                found = []
            for row_id in found:
                await self._slots.acquire()
                self._running.add(row_id)
                task = asyncio.create_task(self._one(row_id))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
            if found:
                await asyncio.sleep(0)
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.jobs_poll_seconds)
            except TimeoutError:
                pass
