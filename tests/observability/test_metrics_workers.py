"""Under several uvicorn workers a scrape, whichever worker answers it,
adds up every worker's counts (prometheus-client's multiprocess mode,
set up by `clinicportal serve`); what a stopped server left behind is
cleared at start."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from cli import shared_metrics
from settings import Settings
from tests.conftest import FAST_HASH_ENV
from tests.support.booking import BOOK, working_day
from tests.support.metrics import scrape, value
from tests.support.servers import ROOT, running_server

ANN = {"fullName": "Ann Lee", "email": "ann.lee@example.com", "phone": "+447700900555"}
BOOKED = ("clinicportal_bookings_total", {"source": "ONLINE"})


def _cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr


def bookings_by_process(folder: Path, scratch: Path) -> dict[str, float]:
    """Each worker's own count, read from its own file alone."""
    counts = {}
    for file in folder.glob("counter_*.db"):
        alone = scratch / file.stem
        alone.mkdir(exist_ok=True)
        shutil.copy(file, alone / file.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        counts[file.stem] = registry.get_sample_value(*BOOKED) or 0.0
    return counts


def working_days(count: int) -> list[datetime]:
    """`count` different working days ahead, as local midnights."""
    days: dict[date, datetime] = {}
    ahead = 5
    while len(days) < count:
        day = working_day(ahead)
        days.setdefault(day.date(), day)
        ahead += 1
    return list(days.values())


async def _book(url: str, treatment_id: str, start: str) -> None:
    async with httpx.AsyncClient(base_url=url) as client:  # a connection of its own: any worker may take it
        variables = {"input": {"clinicSlug": "demo", "treatmentId": treatment_id, "start": start, "client": ANN}}
        body = (await client.post("/graphql", json={"query": BOOK, "variables": variables})).json()
        assert body["data"]["bookAppointment"]["userErrors"] == [], body


async def _treatment_id(url: str) -> str:
    async with httpx.AsyncClient(base_url=url) as client:
        body = (await client.post("/graphql", json={"query": '{ clinic(slug: "demo") { treatments { id name } } }'})).json()
    return next(t["id"] for t in body["data"]["clinic"]["treatments"] if t["name"] == "Facial")


async def test_a_scrape_adds_up_the_bookings_of_every_worker(tmp_path):
    folder = tmp_path / "metrics"
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}", "PROMETHEUS_MULTIPROC_DIR": str(folder), **FAST_HASH_ENV}
    _cli(env, "-m", "cli", "migrate")
    _cli(env, "-m", "cli", "seed-demo")
    folder.mkdir()
    # What an earlier server left: a thousand bookings that must not count.
    _cli(env, "-c", "from telemetry import metrics; metrics.BOOKINGS.labels('ONLINE').inc(1000)")
    assert list(folder.glob("counter_*.db"))
    async with running_server(env, workers=2) as server:
        treatment, booked, counts = await _treatment_id(server.url), 0, {}
        for day in working_days(12):  # until both workers have booked
            # 90 minutes apart: a 60-minute Facial and its 15-minute buffer never overlap the next,
            # so whatever order the workers take them in, each has a free practitioner.
            starts = [(day.replace(hour=9) + timedelta(minutes=90 * n)).isoformat() for n in range(6)]
            await asyncio.gather(*(_book(server.url, treatment, start) for start in starts))
            booked += len(starts)
            counts = bookings_by_process(folder, tmp_path)
            if sum(1 for count in counts.values() if count > 0) >= 2:
                break
        assert sum(1 for count in counts.values() if count > 0) == 2, counts  # each worker booked some
        assert sum(counts.values()) == booked
        for _ in range(4):  # each scrape on a new connection, answered by either worker
            async with httpx.AsyncClient(base_url=server.url) as client:
                assert value(await scrape(client), BOOKED[0], **BOOKED[1]) == booked


def test_serve_shares_metrics_through_a_temporary_folder_only_with_several_workers(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # restored when the test ends
    settings = Settings.from_env({})
    with shared_metrics(settings, workers=1):
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == ""  # one worker: its own registry
    with shared_metrics(settings, workers=2):
        folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        assert folder.is_dir() and not list(folder.iterdir())
    assert not folder.exists()
