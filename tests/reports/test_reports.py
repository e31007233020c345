"""The seven reports against a data set whose figures are known
(tests/support/reports_data.py), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import CredentialKind
from resolvers.account import credentials
from resolvers.demo.clinics import PRACTITIONER_PASSWORD
from tests.support import reports_data
from tests.conftest import client_token, staff_token

REPORTS = """query($f: Date!, $t: Date!) { reports(from: $f, to: $t) {
  from to timezone currency
  revenue { moneyTaken { amount currency } listValue { amount currency } total { amount currency } appointments
    byMethod { method payments taken { amount } refunds refunded { amount } net { amount } }
    byDay { day appointments amount { amount } moneyTaken { amount } }
    byTreatment { treatment { name } appointments amount { amount } }
    byPractitioner { practitioner { name } appointments amount { amount } } }
  bookings { total rescheduled bySource { source bookings } }
  payments { total { method payments taken { amount } refunds refunded { amount } net { amount } }
    byMethod { method payments taken { amount } refunds refunded { amount } net { amount } } }
  staffPerformance { practitioner { name } appointments completed noShows revenue { amount }
    bookedMinutes rosteredMinutes utilisation }
  treatmentPopularity { treatment { name } visits bookings share }
  clientRetention { clientsSeen newClients returningClients completedClients rebookedClients rebookingRate }
  cancellations { appointments cancellations rate rescheduled slotsReopened withinNoticePeriod
    averageNoticeHours medianNoticeHours byWhom { by cancellations } notice { minHours maxHours cancellations } }
} }"""
ONE = "query($f: Date!, $t: Date!) { reports(from: $f, to: $t) { revenue { total { amount } } } }"
RANGE = {"f": reports_data.FIRST.isoformat(), "t": reports_data.LAST.isoformat()}


def money(amount: str) -> dict:
    return {"amount": amount}


@pytest.fixture
async def reportville(api):
    built = await reports_data.build("reportville")
    # A second clinic with the very same rows: were any of them counted
    # for reportville, every figure below would double.
    await reports_data.build("elsewhere")
    return built


async def reports(api, token: str, variables: dict = RANGE) -> dict:
    return (await api.data(REPORTS, variables, token))["reports"]


def method_line(method, n, taken, r, refunded, net) -> dict:
    return {
        "method": method, "payments": n, "taken": money(taken), "refunds": r, "refunded": money(refunded), "net": money(net),
    }  # fmt: skip


BY_METHOD = [
    method_line("CASH", 1, "30.50", 1, "10.00", "20.50"),
    method_line("CARD", 3, "120.00", 1, "15.00", "105.00"),
    method_line("BANK_TRANSFER", 0, "0.00", 0, "0.00", "0.00"),
    method_line("GIFT_CARD", 1, "30.50", 0, "0.00", "30.50"),
    method_line("OTHER", 0, "0.00", 0, "0.00", "0.00"),
]


async def test_revenue_is_money_taken_less_refunds_by_method_beside_the_list_value_of_completed_visits(api, reportville):
    found = await reports(api, reportville.admin_token)
    assert (found["from"], found["to"], found["timezone"], found["currency"]) == (
        "2026-03-27", "2026-03-31", "Europe/London", "GBP",
    )  # fmt: skip
    revenue = found["revenue"]
    # Taken in the range: 50 + 30.50 + 50 + 30.50 + 20 (the no-show's
    # deposit); refunded in it: 15 and 10 (of a payment taken in February).
    # The payment for the visit on 1 April is left out.
    assert revenue["moneyTaken"] == {"amount": "156.00", "currency": "GBP"}
    assert revenue["byMethod"] == BY_METHOD
    # List value: the five visits completed in the range, paid or not; the
    # no-show, the cancellations and Carol's booked visit are not in it.
    assert revenue["listValue"] == {"amount": "191.50", "currency": "GBP"}
    assert revenue["total"] == revenue["listValue"]  # the older name
    assert revenue["appointments"] == 5


async def test_revenue_by_local_day_treatment_and_practitioner(api, reportville):
    revenue = (await reports(api, reportville.admin_token))["revenue"]
    # 00:30 local on Monday 30th (23:30 UTC on Sunday 29th) is Monday's, and
    # 00:30 local on 1 April (still 31 March in UTC) is left out. Money by
    # the day it moved: Saturday 28th only gave refunds.
    assert revenue["byDay"] == [
        {"day": "2026-03-27", "appointments": 2, "amount": money("80.50"), "moneyTaken": money("80.50")},
        {"day": "2026-03-28", "appointments": 1, "amount": money("30.50"), "moneyTaken": money("-25.00")},
        {"day": "2026-03-30", "appointments": 1, "amount": money("50.00"), "moneyTaken": money("70.00")},
        {"day": "2026-03-31", "appointments": 1, "amount": money("30.50"), "moneyTaken": money("30.50")},
    ]
    assert revenue["byTreatment"] == [
        {"treatment": {"name": "Facial"}, "appointments": 2, "amount": money("100.00")},
        {"treatment": {"name": "Massage"}, "appointments": 3, "amount": money("91.50")},
    ]
    assert revenue["byPractitioner"] == [
        {"practitioner": {"name": "Ana"}, "appointments": 4, "amount": money("141.50")},
        {"practitioner": {"name": "Ben"}, "appointments": 1, "amount": money("50.00")},
    ]


async def test_bookings_count_what_was_booked_in_the_range_by_source_with_moves_apart(api, reportville):
    bookings = (await reports(api, reportville.admin_token))["bookings"]
    assert bookings == {
        "total": 5,
        "rescheduled": 1,
        "bySource": [
            {"source": "PORTAL", "bookings": 1},
            {"source": "ONLINE", "bookings": 2},
            {"source": "STAFF", "bookings": 1},
            {"source": "PARTNER", "bookings": 1},
        ],
    }


async def test_payments_are_taken_less_refunded_by_method(api, reportville):
    payments = (await reports(api, reportville.admin_token))["payments"]
    assert payments["total"] == method_line(None, 5, "181.00", 2, "25.00", "156.00")
    assert payments["byMethod"] == BY_METHOD


async def test_staff_performance_weighs_booked_minutes_against_rostered_hours_with_exceptions_and_the_clock_change(
    api, reportville
):
    staff = (await reports(api, reportville.admin_token))["staffPerformance"]
    assert staff == [
        # Rostered: Fri, Mon, Tue 8 hours each, and Sunday 00:00-03:00 local
        # on the day the clocks skip an hour: 3 x 480 + 120.
        {"practitioner": {"name": "Ana"}, "appointments": 5, "completed": 4, "noShows": 1, "revenue": money("141.50"),
         "bookedMinutes": 210, "rosteredMinutes": 1560, "utilisation": 0.1346},
        # Rostered: Saturday off, Monday's extra 2 hours, Tuesday's 3 hours
        # less the hour off: 0 + 120 + 120.
        {"practitioner": {"name": "Ben"}, "appointments": 2, "completed": 1, "noShows": 0, "revenue": money("50.00"),
         "bookedMinutes": 120, "rosteredMinutes": 240, "utilisation": 0.5},
    ]  # fmt: skip


async def test_treatment_popularity_counts_only_completed_visits_and_their_share(api, reportville):
    popularity = (await reports(api, reportville.admin_token))["treatmentPopularity"]
    # Facials: Carol's and Dan's visits; Eve's no-show and Carol's booked
    # (not yet attended) facial are not counted, nor the cancellations.
    assert popularity == [
        {"treatment": {"name": "Massage"}, "visits": 3, "bookings": 3, "share": 0.6},
        {"treatment": {"name": "Facial"}, "visits": 2, "bookings": 2, "share": 0.4},
    ]


async def test_client_retention_tells_new_from_returning_clients_and_who_booked_again(api, reportville):
    retention = (await reports(api, reportville.admin_token))["clientRetention"]
    assert retention == {
        "clientsSeen": 4,  # Carol, Dan, Eve, Gus; Finn only cancelled
        "newClients": 3,  # Dan, Eve and Gus; Carol first came in February
        "returningClients": 1,
        "completedClients": 4,
        # Carol and Dan inside the range, Gus after it; Eve's no-show came
        # before her visit and her next booking was cancelled.
        "rebookedClients": 3,
        "rebookingRate": 0.75,
    }


async def test_cancellations_report_notice_who_cancelled_and_reopened_slots_with_moves_apart(api, reportville):
    cancellations = (await reports(api, reportville.admin_token))["cancellations"]
    assert cancellations == {
        "appointments": 10,
        "cancellations": 3,
        "rate": 0.3,
        "rescheduled": 1,
        "slotsReopened": 2,  # the third was cancelled half an hour after its start
        "withinNoticePeriod": 2,
        "averageNoticeHours": 19.17,  # (48 + 10 - 0.5) / 3
        "medianNoticeHours": 10.0,
        "byWhom": [
            {"by": "CLIENT", "cancellations": 1},
            {"by": "STAFF", "cancellations": 1},
            {"by": "PARTNER", "cancellations": 1},
        ],
        "notice": [
            {"minHours": None, "maxHours": 0, "cancellations": 1},
            {"minHours": 0, "maxHours": 24, "cancellations": 1},
            {"minHours": 24, "maxHours": 48, "cancellations": 0},
            {"minHours": 48, "maxHours": 168, "cancellations": 1},
            {"minHours": 168, "maxHours": None, "cancellations": 0},
        ],
    }


async def test_an_empty_range_gives_zeros_not_errors(api, reportville):
    found = await reports(api, reportville.admin_token, {"f": "2025-06-01", "t": "2025-06-30"})
    assert found["revenue"]["total"]["amount"] == "0.00" and found["revenue"]["byDay"] == []
    assert found["bookings"]["total"] == 0
    assert found["payments"]["total"]["net"]["amount"] == "0.00"
    assert [s["appointments"] for s in found["staffPerformance"]] == [0, 0]
    assert found["treatmentPopularity"] == []
    assert found["clientRetention"]["rebookingRate"] is None
    assert found["cancellations"]["rate"] is None and found["cancellations"]["medianNoticeHours"] is None


async def test_one_day_and_a_partner_key_with_the_admin_scope(api, reportville):
    key, _ = await credentials.issue(CredentialKind.API_KEY, reportville.clinic.id, lifetime=None, scopes=["admin"])
    found = await api.data(ONE, {"f": "2026-03-30", "t": "2026-03-30"}, key)
    assert found["reports"]["revenue"]["total"]["amount"] == "50.00"


def error_code(body: dict) -> str:
    assert body.get("data") is None, body
    [error] = body["errors"]
    return error["extensions"]["code"]


async def test_practitioners_clients_and_partner_keys_without_the_admin_scope_cannot_read_reports(api, demo):
    clinic_id = demo["demo"].clinic.id
    reader, _ = await credentials.issue(CredentialKind.API_KEY, clinic_id, lifetime=None, scopes=["read", "book", "calendar"])
    tokens = {
        "practitioner": await api.staff_sign_in("alex@demo.clinic", PRACTITIONER_PASSWORD),
        "client": await client_token(api),
        "partner without admin": reader,
        "anonymous": None,
    }
    for who, token in tokens.items():
        assert error_code(await api.post(ONE, RANGE, token)) == "UNAUTHENTICATED", who
    assert "errors" not in await api.post(ONE, RANGE, await staff_token(api))


async def test_ranges_backwards_or_over_400_days_are_refused(api, reportville):
    token = reportville.admin_token
    backwards = {"f": "2026-03-31", "t": "2026-03-30"}
    too_long = {"f": "2025-01-01", "t": (reports_data.FIRST.replace(year=2025) + timedelta(days=500)).isoformat()}
    for variables in (backwards, too_long, {"f": "1999-12-31", "t": "2000-01-02"}):
        assert error_code(await api.post(ONE, variables, token)) == "INVALID_INPUT", variables
    assert "errors" not in await api.post(ONE, {"f": "2025-01-01", "t": "2026-02-04"}, token)  # 400 days


async def test_a_roster_over_the_autumn_clock_change_counts_the_hour_that_repeats(api, reportville):
    from models import RosterEntry

    # Ana works Sunday 00:00-03:00 local; on 25 October 2026 01:00-02:00
    # happens twice, so that night is four hours long.
    staff = (await reports(api, reportville.admin_token, {"f": "2026-10-25", "t": "2026-10-25"}))["staffPerformance"]
    assert {s["practitioner"]["name"]: s["rosteredMinutes"] for s in staff} == {"Ana": 240, "Ben": 0}
    await RosterEntry.filter(practitioner_id=reportville.ana.id, weekday=6).delete()
    staff = (await reports(api, reportville.admin_token, {"f": "2026-10-25", "t": "2026-10-25"}))["staffPerformance"]
    assert {s["practitioner"]["name"]: s["rosteredMinutes"] for s in staff} == {"Ana": 0, "Ben": 0}


async def test_days_are_local_in_a_zone_half_an_hour_off_the_hour(api, demo):
    from datetime import UTC, datetime
    from decimal import Decimal

    from models import Appointment, Client, Clinic, CredentialKind, Practitioner, Treatment

    clinic = await Clinic.create(slug="kolkata", name="Kolkata", timezone="Asia/Kolkata", currency="INR")
    who = await Practitioner.create(clinic=clinic, name="Priya")
    what = await Treatment.create(clinic=clinic, name="Facial", duration_minutes=30, price=Decimal("1000.00"))
    client = await Client.create(clinic=clinic, full_name="Ravi", email="ravi@kolkata.example")
    # 18:45 UTC on 9 May is 00:15 on 10 May in Kolkata (UTC+05:30); 18:15
    # UTC is 23:45 on 9 May. An hourly UTC bucket would put both on one day.
    for hour, minute in ((18, 15), (18, 45)):
        start = datetime(2026, 5, 9, hour, minute, tzinfo=UTC)
        end = start + timedelta(minutes=30)
        await Appointment.create(
            clinic=clinic, practitioner=who, treatment=what, client=client, start_at=start, end_at=end,
            occupied_start=start, occupied_end=end, status="COMPLETED", source="STAFF", price=what.price, currency="INR",
        )  # fmt: skip
    key, _ = await credentials.issue(CredentialKind.API_KEY, clinic.id, lifetime=None, scopes=["admin"])
    query = "query($f: Date!, $t: Date!) { reports(from: $f, to: $t) { revenue { byDay { day appointments } } } }"
    found = await api.data(query, {"f": "2026-05-09", "t": "2026-05-10"}, key)
    assert found["reports"]["revenue"]["byDay"] == [
        {"day": "2026-05-09", "appointments": 1},
        {"day": "2026-05-10", "appointments": 1},
    ]
