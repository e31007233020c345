"""The seven reports over a year of one clinic (bench/reports_data.py:
20 practitioners, about 100,000 appointments with payments, refunds and
cancellations) on PostgreSQL: each report through our resolver
(`resolvers.reports.*`, ORM connection pool, dialect layer, dataclasses)
against the same aggregate written as one hand-tuned statement
(bench/reports_baseline.py) run with asyncpg, side by side in one run.

Before timing, every report's figures are compared with its baseline's.
Then warm-up rounds and timed rounds; each round runs every case once, so
drift from other load on the machine hits all cases alike. Targets
(reported, not asserted): each report within 2x of its baseline and under
300 ms."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bench import reports_baseline as baseline
from bench.common import median, percentile, scratch_database, table, timed, verdict
from bench.reports_data import CLIENTS, PRACTITIONERS, YEAR, fill
from models import Clinic
from resolvers.reports import bookings, cancellations, payments, popularity, range_of, retention, revenue, staff

WARMUP = 3
RUNS = 20
# The smallest run that still compares every report with its baseline
# (tests/project/test_benchmarks.py, `python -m bench --tiny`).
TINY = {"runs": 1, "warmup": 0, "practitioners": 2, "clients": 200}
TARGET_RATIO = 2.0
TARGET_MS = 300.0
# The whole year, and one month (with the spring clock change in it).
RANGES = {"year": (date(YEAR, 1, 1), date(YEAR, 12, 31)), "March": (date(YEAR, 3, 1), date(YEAR, 3, 31))}


def _dsn(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql", query=""))


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


# Each report's figures in one shape, from our result and from the baseline's rows.
def ours_revenue(found):
    return (
        (found.total.appointments, found.total.amount),
        {day: (d.appointments, d.amount) for day, d in found.by_day.items()},
        {t.id: (t.appointments, t.amount) for t in found.by_treatment},
        {p.id: (p.appointments, p.amount) for p in found.by_practitioner},
    )


def theirs_revenue(rows):
    pick = lambda key, test: {r[key]: (r["n"], _money(r["amount"])) for r in rows if test(r)}  # noqa: E731
    [total] = [(r["n"], _money(r["amount"])) for r in rows if r["g_day"] and r["g_treatment"] and r["g_practitioner"]]
    return (
        total,
        pick("day", lambda r: not r["g_day"]),
        pick("treatment_id", lambda r: not r["g_treatment"]),
        pick("practitioner_id", lambda r: not r["g_practitioner"]),
    )


def ours_bookings(found):
    return {s.source.value: s.bookings for s in found.by_source if s.bookings}, found.rescheduled


def theirs_bookings(rows):
    return {r["source"]: r["n"] for r in rows if not r["moved"]}, sum(r["n"] for r in rows if r["moved"])


def ours_payments(found):
    return {m.method.value: (m.payments, m.taken, m.refunds, m.refunded) for m in found.by_method if m.payments or m.refunds}


def theirs_payments(rows):
    return {r["method"]: (r["payments"], _money(r["taken"]), r["refunds"], _money(r["refunded"])) for r in rows}


def ours_staff(found):
    return {
        s.practitioner_id: (s.appointments, s.completed, s.no_shows, s.revenue, s.booked_minutes, s.rostered_minutes)
        for s in found
    }


def theirs_staff(rows):
    return {
        r["id"]: (r["n"], r["completed"], r["no_shows"], _money(r["revenue"]), round(r["booked"]), round(r["rostered"]))
        for r in rows
    }


def ours_popularity(found):
    return {t.treatment_id: t.visits for t in found}


def theirs_popularity(rows):
    return {r["treatment_id"]: r["n"] for r in rows}


def ours_retention(found):
    return found.clients_seen, found.new_clients, found.completed_clients, found.rebooked_clients


def theirs_retention(rows):
    [r] = rows
    return r["seen"], r["new"], r["completed"], r["rebooked"]


def ours_cancellations(found):
    return (
        found.appointments, found.cancellations, found.rescheduled, found.slots_reopened, found.within_notice_period,
        found.average_notice_hours, found.median_notice_hours, tuple(found.by_whom.values()),
        tuple(b.cancellations for b in found.notice),
    )  # fmt: skip


def theirs_cancellations(rows):
    [r] = rows
    return (
        r["appointments"], r["cancellations"], r["rescheduled"], r["reopened"], r["late"],
        round(float(r["average"]), 2), round(float(r["median"]), 2), (r["by_client"], r["by_staff"], r["by_partner"]),
        (r["b0"], r["b1"], r["b2"], r["b3"], r["b4"]),
    )  # fmt: skip


REPORTS = {
    # name: (our resolver, baseline statement, extra baseline parameters, our shape, their shape)
    # The list value of completed visits; the money taken is the payments report's.
    "revenue": (revenue.list_value, baseline.REVENUE, "", ours_revenue, theirs_revenue),
    "bookings": (bookings.bookings, baseline.BOOKINGS, "", ours_bookings, theirs_bookings),
    "payments": (payments.payments, baseline.PAYMENTS, "", ours_payments, theirs_payments),
    "staff performance": (staff.staff_performance, baseline.STAFF, "dates", ours_staff, theirs_staff),
    "treatment popularity": (popularity.treatment_popularity, baseline.POPULARITY, "", ours_popularity, theirs_popularity),
    "client retention": (retention.retention, baseline.RETENTION, "", ours_retention, theirs_retention),
    "cancellations": (cancellations.cancellations, baseline.CANCELLATIONS, "notice", ours_cancellations, theirs_cancellations),
}


def _cases(r, conn) -> dict[tuple[str, str], object]:
    cases = {}
    for name, (ours, statement, extra, _, _) in REPORTS.items():
        args = [r.clinic_id, r.start, r.end, r.timezone]
        if extra == "dates":
            args += [r.first, r.last]
        elif extra == "notice":
            args[3] = r.cancellation_notice_hours
        args = args[: max(int(n) for n in re.findall(r"\$(\d+)", statement))]
        cases[(name, "ours")] = lambda ours=ours: ours(r)
        cases[(name, "baseline")] = lambda statement=statement, args=args: conn.fetch(statement, *args)
    return cases


def problems(result: dict) -> list[str]:
    """What went wrong in a run, apart from timings (none: all is well)."""
    found = [f"{label}, {name}: not the baseline's figures" for (label, name), same in result["checks"].items() if not same]
    if len(result["checks"]) != len(RANGES) * len(REPORTS):
        found.append("not every report was compared with its baseline")
    if not result["appointments"]:
        found.append("the clinic had no appointments")
    return found


async def run(
    runs: int = RUNS, *, warmup: int = WARMUP, practitioners: int = PRACTITIONERS, clients: int = CLIENTS
) -> dict[str, object]:
    checks, samples = {}, {}
    async with scratch_database("reports") as runtime:
        url = runtime.settings.database_url
        conn = await asyncpg.connect(_dsn(url))
        try:
            built = await fill(conn, practitioners=practitioners, clients=clients)
            clinic = await Clinic.get(id=built.id)
            print(
                f"reports: {len(built.practitioners)} practitioners, {built.appointments} appointments,"
                f" {built.payments} payments, {built.refunds} refunds in {YEAR}"
            )
            ranges = {label: range_of(clinic, first, last) for label, (first, last) in RANGES.items()}
            cases = {}
            for label, r in ranges.items():
                for (name, who), call in _cases(r, conn).items():
                    cases[(label, name, who)] = call
            for label, r in ranges.items():
                for name, (_, _, _, our_shape, their_shape) in REPORTS.items():
                    mine = our_shape(await cases[(label, name, "ours")]())
                    theirs = their_shape(await cases[(label, name, "baseline")]())
                    checks[(label, name)] = mine == theirs
                    verdict_text = "same figures as the baseline" if mine == theirs else f"DIFFERENT\n  ours {mine}\n  theirs {theirs}"
                    print(f"check, {label} ({r.first} .. {r.last}), {name}: {verdict_text}")

            samples = {key: [] for key in cases}
            for round_ in range(warmup + runs):
                for key, call in cases.items():
                    seconds, _ = await timed(call)
                    if round_ >= warmup:
                        samples[key].append(seconds * 1000)
        finally:
            await conn.close()

    rows, results = [], {}
    for label in RANGES:
        for name in REPORTS:
            mine, theirs = samples[(label, name, "ours")], samples[(label, name, "baseline")]
            ours_ms, base_ms = median(mine), median(theirs)
            ratio = ours_ms / base_ms
            results[(label, name)] = {"ours_ms": ours_ms, "baseline_ms": base_ms, "ratio": ratio}
            rows.append([
                f"{label}: {name}", f"{ours_ms:.1f}", f"{percentile(mine, 95):.1f}", f"{base_ms:.1f}",
                f"{ratio:.2f}x", verdict(ratio <= TARGET_RATIO), verdict(ours_ms < TARGET_MS),
            ])  # fmt: skip
    print(f"\n{runs} timed runs per case after {warmup} warm-up runs, interleaved; times in ms")
    print(table(["range: report", "ours median", "ours p95", "baseline median", "ours/baseline", "within 2x", "under 300 ms"], rows))
    print(f"\nsame figures as the baselines: {verdict(all(checks.values()))}")
    return {"results": results, "checks": checks, "appointments": built.appointments}


if __name__ == "__main__":
    asyncio.run(run())
