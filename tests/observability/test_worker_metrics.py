"""`clinicportal worker --metrics-port`: a worker on Redis serves the
durations of the jobs it carried out."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from tests.jobs.test_worker import worker_env  # noqa: F401  (fixture)
from tests.support.metrics import parse, value
from tests.support.outbox import enqueue_sms, twilio, wait_until_settled  # noqa: F401  (fixture)
from tests.support.servers import ROOT, free_port, process_env

SENT = ("clinicportal_job_duration_seconds_count", {"kind": "sms", "outcome": "sent"})


async def test_a_worker_serves_its_job_durations(demo, twilio, worker_env):
    port = free_port()
    ids = await enqueue_sms(demo["demo"].clinic.id, 3)
    log = Path(tempfile.mkstemp(prefix="clinicportal-worker-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "worker", "--metrics-port", str(port)],
            cwd=ROOT, env=process_env(worker_env), stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        await wait_until_settled(ids, timeout=60)
        async with httpx.AsyncClient() as client:
            for _ in range(100):  # the last duration is counted just after its row is marked sent
                response = await client.get(f"http://127.0.0.1:{port}/metrics")
                if value(parse(response.text), SENT[0], **SENT[1]) == 3:
                    break
                await asyncio.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=20)
        text = log.read_text(errors="replace")
        log.unlink(missing_ok=True)
    assert response.status_code == 200, text
    assert value(parse(response.text), SENT[0], **SENT[1]) == 3, text
