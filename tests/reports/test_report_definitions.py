"""The reports follow what staff record over GraphQL: marking a visit
completed or missed moves it in and out of the list value and treatment
popularity; recording a payment or a refund moves the money taken, by
method and by day. On SQLite and PostgreSQL alike."""

from __future__ import annotations

from models import Appointment, AppointmentStatus
from tests.support import reports_data

FIGURES = """query($f: Date!, $t: Date!) { reports(from: $f, to: $t) {
  revenue { moneyTaken { amount } listValue { amount } appointments
    byMethod { method taken { amount } refunded { amount } net { amount } }
    byDay { day appointments amount { amount } moneyTaken { amount } } }
  payments { total { net { amount } } }
  treatmentPopularity { treatment { name } visits share }
} }"""
RANGE = {"f": reports_data.FIRST.isoformat(), "t": reports_data.LAST.isoformat()}
MARK = "mutation($id: ID!, $o: AppointmentOutcome!) { markAppointment(id: $id, outcome: $o) { userErrors { code } } }"
RECORD = (
    "mutation($input: RecordPaymentInput!) { recordPayment(input: $input) {"
    " payment { id } userErrors { code field } } }"
)
REFUND = "mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { refund { id } userErrors { code field } } }"


async def figures(api, token: str) -> dict:
    return (await api.data(FIGURES, RANGE, token))["reports"]


def visits(found: dict) -> dict[str, int]:
    return {line["treatment"]["name"]: line["visits"] for line in found["treatmentPopularity"]}


def method(found: dict, name: str) -> dict:
    [line] = [m for m in found["revenue"]["byMethod"] if m["method"] == name]
    return line


def day(found: dict, iso: str) -> dict:
    [line] = [d for d in found["revenue"]["byDay"] if d["day"] == iso]
    return line


async def mark(api, token: str, appointment_id, outcome: str) -> None:
    result = await api.data(MARK, {"id": str(appointment_id), "o": outcome}, token)
    assert result["markAppointment"]["userErrors"] == []


async def booked_facial(clinic) -> Appointment:
    """Carol's facial at 10:30 local on Tuesday 31st, still BOOKED."""
    return await Appointment.get(
        clinic_id=clinic.clinic.id, treatment_id=clinic.facial.id, status=AppointmentStatus.BOOKED,
        start_at=reports_data.local(3, 31, 10, 30),
    )  # fmt: skip


async def test_a_visit_counts_in_list_value_and_popularity_once_completed(api):
    clinic = await reports_data.build("reportville")
    token = clinic.admin_token
    before = await figures(api, token)
    await mark(api, token, (await booked_facial(clinic)).id, "COMPLETED")
    done = await figures(api, token)
    assert visits(done) == {**visits(before), "Facial": visits(before)["Facial"] + 1}
    assert float(done["revenue"]["listValue"]["amount"]) == float(before["revenue"]["listValue"]["amount"]) + 50
    assert done["revenue"]["appointments"] == before["revenue"]["appointments"] + 1
    assert day(done, "2026-03-31")["amount"]["amount"] == "80.50"
    # Nothing was paid for it: the money taken is what it was.
    assert done["revenue"]["moneyTaken"] == before["revenue"]["moneyTaken"]


async def test_a_missed_visit_counts_in_neither_list_value_nor_popularity(api):
    clinic = await reports_data.build("reportville")
    token = clinic.admin_token
    before = await figures(api, token)
    await mark(api, token, (await booked_facial(clinic)).id, "NO_SHOW")
    missed = await figures(api, token)
    assert visits(missed) == visits(before)
    assert missed["revenue"]["listValue"] == before["revenue"]["listValue"]
    assert missed["revenue"]["appointments"] == before["revenue"]["appointments"]


async def test_money_taken_follows_payments_less_refunds_by_method_and_day(api):
    clinic = await reports_data.build("reportville")
    token = clinic.admin_token
    before = await figures(api, token)
    visit = await booked_facial(clinic)
    taken_at = reports_data.local(3, 31, 11, 30).isoformat()
    paid = await api.data(
        RECORD,
        {"input": {"appointmentId": str(visit.id), "amount": "50.00", "method": "BANK_TRANSFER", "takenAt": taken_at}},
        token,
    )
    assert paid["recordPayment"]["userErrors"] == []
    refunded_at = reports_data.local(3, 31, 16).isoformat()
    refund = {"paymentId": paid["recordPayment"]["payment"]["id"], "amount": "12.25", "reason": "Goodwill", "refundedAt": refunded_at}
    assert (await api.data(REFUND, {"input": refund}, token))["refundPayment"]["userErrors"] == []

    after = await figures(api, token)
    assert method(before, "BANK_TRANSFER")["net"]["amount"] == "0.00"
    assert method(after, "BANK_TRANSFER") == {
        "method": "BANK_TRANSFER", "taken": {"amount": "50.00"}, "refunded": {"amount": "12.25"}, "net": {"amount": "37.75"},
    }  # fmt: skip
    for other in ("CASH", "CARD", "GIFT_CARD", "OTHER"):
        assert method(after, other) == method(before, other)
    moved = float(after["revenue"]["moneyTaken"]["amount"]) - float(before["revenue"]["moneyTaken"]["amount"])
    assert round(moved, 2) == 37.75
    assert after["revenue"]["moneyTaken"] == after["payments"]["total"]["net"]
    moved_that_day = float(day(after, "2026-03-31")["moneyTaken"]["amount"]) - float(day(before, "2026-03-31")["moneyTaken"]["amount"])
    assert round(moved_that_day, 2) == 37.75
    # Paid or not, the visit is not completed: the list value stays.
    assert after["revenue"]["listValue"] == before["revenue"]["listValue"]
    assert visits(after) == visits(before)


DESCRIBED = """query($name: String!) { __type(name: $name) { description fields(includeDeprecated: true) {
  name description isDeprecated } } }"""


async def test_each_report_says_what_it_counts_in_the_schema(api):
    says = {
        "RevenueReport": ("refunds", "COMPLETED", "no-shows"),
        "PaymentsReport": ("refunds", "method"),
        "BookingsReport": ("when they were made", "cancelled"),
        "StaffPerformance": ("not cancelled", "rostered"),
        "TreatmentPopularity": ("COMPLETED", "No-shows"),
        "ClientRetentionReport": ("not cancelled", "no-show"),
        "CancellationsReport": ("notice", "rescheduled"),
    }
    for name, words in says.items():
        found = (await api.data(DESCRIBED, {"name": name}))["__type"]
        assert all(word in found["description"] for word in words), (name, found["description"])
    revenue = {f["name"]: f for f in (await api.data(DESCRIBED, {"name": "RevenueReport"}))["__type"]["fields"]}
    assert revenue["total"]["isDeprecated"] and not revenue["listValue"]["isDeprecated"]
    popularity = {f["name"]: f for f in (await api.data(DESCRIBED, {"name": "TreatmentPopularity"}))["__type"]["fields"]}
    assert popularity["bookings"]["isDeprecated"] and not popularity["visits"]["isDeprecated"]
