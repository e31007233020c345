"""`python -m bench`: every benchmark in turn (`make bench` calls this).

    python -m bench                      # all of them
    python -m bench slots                # one of them
    python -m bench booking_race --pool-size 10
    python -m bench fanout               # starts its own server processes
    python -m bench reports              # a year of one clinic; each report against one SQL statement

PostgreSQL comes from BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/test); each benchmark creates a scratch
database there and drops it afterwards."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess

from bench import booking_race, fanout, reports, slots
from bench.common import DEFAULT_POOL_MAXSIZE

BENCHMARKS = ("slots", "booking_race", "fanout", "reports")


def _commit() -> str:
    try:
        found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return found.stdout.strip() or "unknown"


async def main(names: list[str], runs: int, pool_size: int) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"load average before the run (1, 5, 15 min): {load}; code at commit {_commit()}")
    for name in names:
        print(f"\n=== {name} ===")
        if name == "slots":
            await slots.run(runs=runs)
        elif name == "fanout":
            await fanout.run()
        elif name == "reports":
            await reports.run()
        else:
            await booking_race.run(pool_maxsize=pool_size)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the benchmarks; they print, never assert.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"which benchmarks ({', '.join(BENCHMARKS)}); all when none is named")  # fmt: skip
    parser.add_argument("--runs", type=int, default=slots.RUNS, help="timed runs per slots case (after warm-up)")
    parser.add_argument("--pool-size", type=int, default=DEFAULT_POOL_MAXSIZE, help="asyncpg pool max size for the race")
    args = parser.parse_args()
    for unknown in set(args.names) - set(BENCHMARKS):
        parser.error(f"unknown benchmark {unknown!r}; choose from {', '.join(BENCHMARKS)}")
    asyncio.run(main(args.names or list(BENCHMARKS), args.runs, args.pool_size))
