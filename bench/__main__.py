"""`python -m bench`: every benchmark in turn (`make bench` calls this).

    python -m bench                      # all of them
    python -m bench slots                # one of them (make bench BENCH=slots)
    python -m bench booking_race --pool-size 10
    python -m bench booking_speed        # bookings/s over HTTP, in-process and by hand-written asyncpg
    python -m bench fanout               # starts its own server processes (and a redis-server to stop)
    python -m bench reports              # a year of one clinic; each report against one SQL statement
    python -m bench http                 # requests/s of the hot queries against plain Strawberry (own server processes)
    python -m bench --tiny               # each at its smallest size: a quick check that they still work

PostgreSQL comes from BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/test); each benchmark creates a scratch
database there and drops it afterwards. `fanout` also needs Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/0).

Timings are printed, never asserted. Each benchmark's correctness checks
(the same answers as its baseline, no double booking, every event
delivered) are: the command exits with status 1 when one fails."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys

from bench import booking_race, booking_speed, fanout, http, reports, slots
from bench.common import DEFAULT_POOL_MAXSIZE

BENCHMARKS = {
    "slots": slots, "booking_race": booking_race, "booking_speed": booking_speed, "fanout": fanout, "reports": reports,
    "http": http,
}


def _commit() -> str:
    try:
        found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return found.stdout.strip() or "unknown"


async def _run(name: str, args: argparse.Namespace) -> dict:
    size = dict(BENCHMARKS[name].TINY) if args.tiny else {}
    if name == "slots":
        return await slots.run(**{"runs": args.runs, **size})
    if name == "booking_race":
        return await booking_race.run(pool_maxsize=args.pool_size, **size)
    if name == "booking_speed":
        return await booking_speed.run(**{"pool": args.pool_size, **size})
    return await BENCHMARKS[name].run(**size)


async def main(names: list[str], args: argparse.Namespace) -> int:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"load average before the run (1, 5, 15 min): {load}; code at commit {_commit()}")
    failed = False
    for name in names:
        print(f"\n=== {name}{' (tiny)' if args.tiny else ''} ===")
        problems = BENCHMARKS[name].problems(await _run(name, args))
        failed = failed or bool(problems)
        print(f"\ncorrectness checks of {name}: " + (f"FAILED: {'; '.join(problems)}" if problems else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the benchmarks; timings are printed, never asserted.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"which benchmarks ({', '.join(BENCHMARKS)}); all when none is named")  # fmt: skip
    parser.add_argument("--runs", type=int, default=slots.RUNS, help="timed runs per slots case (after warm-up)")
    parser.add_argument("--pool-size", type=int, default=DEFAULT_POOL_MAXSIZE, help="asyncpg pool max size for the race and the booking speed")
    parser.add_argument("--tiny", action="store_true", help="each benchmark at its smallest size (checks, not figures)")
    args = parser.parse_args()
    for unknown in set(args.names) - set(BENCHMARKS):
        parser.error(f"unknown benchmark {unknown!r}; choose from {', '.join(BENCHMARKS)}")
    sys.exit(asyncio.run(main(args.names or list(BENCHMARKS), args)))
