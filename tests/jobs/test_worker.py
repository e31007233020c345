"""`clinicportal worker` processes on Redis (SAQ) carrying out the outbox:
each message once with several workers, through a Twilio outage, and when
a worker is killed in the middle of a batch."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from models import OutboxMessage, OutboxStatus
from tests.support.outbox import deliveries_by_row, enqueue_sms, twilio, wait_until_settled  # noqa: F401
from tests.support.servers import ROOT, process_env


@pytest.fixture
async def worker_env(backend, twilio, redis_url) -> dict[str, str]:
    redis = Redis.from_url(redis_url)
    async for key in redis.scan_iter("saq:*"):
        await redis.delete(key)
    await redis.aclose()
    return {
        "DATABASE_URL": backend.url,
        "REDIS_URL": redis_url,
        "TWILIO_API_BASE": twilio.url,
        "JOBS_POLL_SECONDS": "0.2",
        "JOBS_RETRY_BASE_SECONDS": "0.1",
        "JOBS_RETRY_MAX_SECONDS": "0.5",
        "JOBS_MAX_ATTEMPTS": "200",
        "JOBS_LEASE_SECONDS": "2",
        "JOBS_CONCURRENCY": "4",
        "TWILIO_TIMEOUT_SECONDS": "1",
        "LOG_LEVEL": "INFO",
    }


class Workers:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def start(self) -> subprocess.Popen:
        log = Path(tempfile.mkstemp(prefix="clinicportal-worker-", suffix=".log")[1])
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "cli", "worker"],
                cwd=ROOT,
                env=process_env(self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append((process, log))
        return process

    def logs(self) -> str:
        return "\n".join(log.read_text(errors="replace")[-3000:] for _, log in self.processes)

    def stop_all(self) -> list[int]:
        codes = []
        for process, log in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            codes.append(process.returncode)
            log.unlink(missing_ok=True)
        return codes


@contextlib.contextmanager
def workers(env: dict[str, str]) -> Iterator[Workers]:
    group = Workers(env)
    try:
        yield group
    finally:
        group.stop_all()


async def _settled(ids, group: Workers, timeout: float = 90) -> float:
    try:
        return await wait_until_settled(ids, timeout)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker logs ---\n{group.logs()}") from None


async def test_two_workers_send_each_message_exactly_once(demo, twilio, worker_env):
    ids = await enqueue_sms(demo["demo"].clinic.id, 30)
    with workers(worker_env) as group:
        group.start()
        group.start()
        await _settled(ids, group)
        codes = group.stop_all()
    assert codes == [0, 0]  # SIGTERM: a clean stop
    counts = deliveries_by_row(twilio)
    assert set(counts) == {str(i) for i in ids} and max(counts.values()) == 1
    assert await OutboxMessage.filter(id__in=ids, status=OutboxStatus.SENT).count() == 30


async def test_workers_ride_out_a_twilio_outage_and_send_each_message_once(demo, twilio, worker_env):
    twilio.sandbox.set_fault("500", seconds=3600)
    with workers(worker_env) as group:
        group.start()
        group.start()
        ids = await enqueue_sms(demo["demo"].clinic.id, 20)
        deadline = time.monotonic() + 60
        while twilio.sandbox.requests < 40:  # every message has failed about twice
            assert time.monotonic() < deadline, group.logs()
            await asyncio.sleep(0.05)
        twilio.sandbox.set_fault("500", seconds=1.0)  # Twilio is back in a second
        done = await _settled(ids, group)
    counts = deliveries_by_row(twilio)
    assert set(counts) == {str(i) for i in ids} and max(counts.values()) == 1
    rows = await OutboxMessage.filter(id__in=ids)
    assert {r.status for r in rows} == {OutboxStatus.SENT} and max(r.attempts for r in rows) > 1
    print(
        f"\n[figures] workers, 500 until recovery: {len(counts)} sent, {sum(counts.values()) - len(counts)} duplicates,"
        f" {twilio.sandbox.requests} requests, all delivered {done - twilio.sandbox.recovered_at:.2f}s after recovery"
    )


async def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(demo, twilio, worker_env):
    # Every send takes 0.3 s before Twilio accepts it, so the kill lands on sends in flight.
    twilio.sandbox.set_fault("latency", seconds=3600, delay=0.3)
    ids = await enqueue_sms(demo["demo"].clinic.id, 24)
    with workers(worker_env) as group:
        first = group.start()
        deadline = time.monotonic() + 60
        while (
            await OutboxMessage.filter(id__in=ids, status=OutboxStatus.SENT).count() < 4
            or await OutboxMessage.filter(id__in=ids, status=OutboxStatus.PENDING, attempts__gt=0).count() < 2
        ):
            assert time.monotonic() < deadline, group.logs()
            await asyncio.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait()
        claimed_when_killed = await OutboxMessage.filter(id__in=ids, status=OutboxStatus.PENDING, attempts__gt=0).count()
        group.start()
        await _settled(ids, group)
    counts = deliveries_by_row(twilio)
    assert set(counts) == {str(i) for i in ids}, "a message was lost"
    assert max(counts.values()) == 1, f"duplicates: {[k for k, v in counts.items() if v > 1]}"
    rows = await OutboxMessage.filter(id__in=ids)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    found = sum(1 for r in rows if (r.result or {}).get("found_after_interruption"))
    assert claimed_when_killed > 0  # the kill did land mid-batch
    print(
        f"\n[figures] SIGKILL mid-batch: {len(counts)} sent, {sum(counts.values()) - len(counts)} duplicates,"
        f" {claimed_when_killed} rows claimed by the killed worker, {found} found already at Twilio and not resent"
    )
