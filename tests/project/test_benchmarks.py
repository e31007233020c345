"""Every benchmark in bench/ still runs: each at its smallest size
(`python -m bench NAME --tiny`, in a process of its own, as `make bench
BENCH=NAME` runs it), on the test PostgreSQL (and Redis for the fan-out).
What is checked is that its correctness checks ran and held, never its
timings."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from bench import booking_race, booking_speed, fanout, http, reports, slots
from bench.__main__ import BENCHMARKS
from tests.support.environment import PG_BASE, REDIS_URL, REQUIRE_SERVICES
from tests.support.servers import ROOT


@pytest.fixture
def bench_env() -> dict[str, str]:
    if not (PG_BASE and REDIS_URL):
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but TEST_DATABASE_URL or TEST_REDIS_URL is not set")
        pytest.skip("the benchmarks need TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL")
    return {**os.environ, "BENCH_DATABASE_URL": PG_BASE, "BENCH_REDIS_URL": REDIS_URL}


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_each_benchmark_runs_at_its_smallest_size_and_its_correctness_checks_hold(name, bench_env):
    done = subprocess.run(
        [sys.executable, "-m", "bench", name, "--tiny"], cwd=ROOT, env=bench_env, capture_output=True, text=True, timeout=600
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert f"=== {name} (tiny) ===" in done.stdout
    assert f"correctness checks of {name}: passed" in done.stdout, output[-4000:]
    if name == "fanout":  # Redis stopped and started again: every subscriber heard every booking, once, in order
        outage = re.search(r"^outage: (\d+)/(\d+) delivered, 0 missing, 0 duplicates, 0 out of order;", done.stdout, re.M)
        assert outage and int(outage[1]) == int(outage[2]) > 0, output[-4000:]


def test_a_failed_correctness_check_is_reported():
    assert http.problems({"problems": ["me { appointments }: 1 appointments shown, 2 stored"], "rates": {}})
    assert http.problems({"problems": [], "rates": {}}) == []
    assert slots.problems({"checks": [True, False], "checked_slots": [3, 5]})
    assert slots.problems({"checks": [True, True], "checked_slots": [0, 5]})
    race = {"winners": [1, 2], "unexpected": 0, "slot_unavailable": 3, "losers": 3, "overlaps": 0, "failures": 0,
            "booked": 4, "expected_booked": 4, "hold_failures": 0, "holds_used": 2, "holds_expected": 2}  # fmt: skip
    assert booking_race.problems(race) == ["a hot slot did not have exactly one winner"]
    assert booking_race.problems({**race, "winners": [1, 1], "overlaps": 1}) == ["two active appointments of one practitioner overlap"]
    assert booking_race.problems({**race, "winners": [1, 1], "holds_used": 1}) == ["a hold was not spent on its booking"]
    rows = {"appointment": 1.0, "outbox_message": 3.8}
    side = {"label": "over HTTP", "errors": 0, "first_error": "", "rows": rows}
    speed = {"http": side, "in_process": {**side, "label": "in-process"}, "baseline": {**side, "label": "baseline"},
             "overlaps": 0, "booked": 9, "expected_booked": 9}  # fmt: skip
    assert booking_speed.problems(speed) == []
    assert booking_speed.problems({**speed, "http": {**side, "errors": 2, "first_error": "SLOT_UNAVAILABLE"}}) == [
        "over HTTP: 2 bookings failed (first: SLOT_UNAVAILABLE)"
    ]
    assert booking_speed.problems({**speed, "overlaps": 1, "booked": 8}) == [
        "two active appointments of one practitioner overlap", "the table holds 8 appointments, not the 9 booked"
    ]
    fewer = {**side, "label": "baseline", "rows": {**rows, "outbox_message": 2.8}}
    assert booking_speed.problems({**speed, "baseline": fewer}) == [
        f"baseline wrote other rows per booking than in-process: {fewer['rows']} vs {rows}"
    ]
    same = {(label, name): True for label in reports.RANGES for name in reports.REPORTS}
    assert reports.problems({"checks": same, "appointments": 10}) == []
    assert reports.problems({"checks": {**same, ("year", "revenue"): False}, "appointments": 10}) == ["year, revenue: not the baseline's figures"]
    phase = {"missing": 0, "duplicates": 0, "delivered": 4, "expected": 4}
    run = {"app": {"paced": phase, "burst": {**phase, "missing": 1}}, "baseline": {"paced": phase, "burst": phase},
           "leak": {"settled": 0, "failures": 0}}  # fmt: skip
    assert fanout.problems(run) == ["app burst: 4/4 delivered, 1 missing, 0 duplicates"]
    outage = {"expected": 40, "delivered": 40, "missing": 0, "duplicates": 0, "disorder": 0, "caught_up": 0.5,
              "down_to_up": 3.0, "bookings": 10, "booked": 10, "after": phase}  # fmt: skip
    crowd = {"paced": phase, "woken": phase, "stray": 0}
    fine = {**run, "app": {"paced": phase, "burst": phase}}
    assert fanout.problems({**fine, "outage": outage, "crowd": crowd}) == []
    assert fanout.problems({**fine, "outage": {**outage, "disorder": 2}, "crowd": crowd}) == [
        "outage: 40/40 delivered, 0 missing, 0 duplicates, 2 out of order; all caught up 0.50s after Redis came back"
        " (3.0s away); 10/10 booked"
    ]
    assert fanout.problems({**fine, "outage": outage, "crowd": {**crowd, "stray": 1}}) == [
        "1 events reached idle subscribers of another practitioner's diary"
    ]


def test_make_bench_runs_one_benchmark_when_named():
    def dry_run(*args: str) -> str:
        return subprocess.run(["make", "--no-print-directory", "-n", "bench", *args], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout

    assert dry_run("BENCH=slots").splitlines()[-1].endswith("python -m bench slots")
    assert dry_run().splitlines()[-1].endswith("python -m bench ")
