"""Loyalty that earns: a completed visit credits points or cashback to the
client's card once, an undone completion or a refund takes it back, and a
discount card lowers the price quoted and booked. Over GraphQL, on both
databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from models import Appointment, AppointmentSource, AppointmentStatus, Clinic, LedgerEntry, LedgerKind, utcnow
from resolvers.core import i18n
from tests.billing.test_payments import record, refund
from tests.support.booking import BOOK, at, book_input, errors
from tests.conftest import client_token, staff_token

CREATE = (
    "mutation($n: String!, $k: LoyaltyKind!, $r: LoyaltyRuleInput, $t: String) {"
    " createLoyaltyProgramme(name: $n, kind: $k, rule: $r, terms: $t) {"
    " programme { id name kind terms rule { pointsPerVisit pointsPerAmount amountStep { amount currency }"
    " cashbackPercent discountPercent description } } userErrors { code field message } } }"
)
UPDATE = (
    "mutation($id: ID!, $input: LoyaltyProgrammeInput!) { updateLoyaltyProgramme(id: $id, input: $input) {"
    " programme { name terms rule { pointsPerVisit pointsPerAmount cashbackPercent description } }"
    " userErrors { code field } } }"
)
ISSUE = (
    "mutation($c: ID!, $p: ID!) { issueLoyaltyCard(clientId: $c, programmeId: $p) {"
    " loyaltyCard { id programme points } userErrors { code field } } }"
)
MARK = (
    "mutation($id: ID!, $o: AppointmentOutcome!) { markAppointment(id: $id, outcome: $o) {"
    " appointment { id status } userErrors { code field } } }"
)
UNDO = "mutation($id: ID!) { undoAppointmentOutcome(id: $id) { appointment { id status } userErrors { code field } } }"
CARDS = (
    "{ me { loyaltyCards { programme kind points cashback { amount currency } discountPercent terms"
    " rule { pointsPerVisit pointsPerAmount amountStep { amount } cashbackPercent discountPercent description } } } }"
)
PRICES = 'query($s: String!) { clinic(slug: $s) { treatments { name price { amount } priceForMe { amount currency } } } }'


async def programme(api, staff: str, name: str, kind: str, rule: dict | None, terms: str | None = None) -> str:
    made = (await api.data(CREATE, {"n": name, "k": kind, "r": rule, "t": terms}, staff))["createLoyaltyProgramme"]
    assert made["userErrors"] == []
    return made["programme"]["id"]


async def enrolled(api, demo, name: str, kind: str, rule: dict, terms: str | None = None) -> tuple[str, str]:
    """A programme the demo client holds a card of: (staff token, client token)."""
    staff, client = await staff_token(api), await client_token(api)
    programme_id = await programme(api, staff, name, kind, rule, terms)
    issued = (await api.data(ISSUE, {"c": str(demo["demo"].client.id), "p": programme_id}, staff))["issueLoyaltyCard"]
    assert issued["userErrors"] == [] and issued["loyaltyCard"]["points"] == 0
    return staff, client


async def card(api, token: str, name: str) -> dict:
    return next(c for c in (await api.data(CARDS, token=token))["me"]["loyaltyCards"] if c["programme"] == name)


async def started_visit(demo, hours_ago: int = 2) -> Appointment:
    """A BOOKED appointment of the demo client that began a while ago."""
    d = demo["demo"]
    facial = d.treatments["Facial"]
    start = utcnow().replace(second=0, microsecond=0) - timedelta(hours=hours_ago)
    end = start + timedelta(minutes=facial.duration_minutes)
    return await Appointment.create(
        clinic=d.clinic, practitioner=d.practitioners["Alex Morgan"], treatment=facial, client=d.client,
        start_at=start, end_at=end, occupied_start=start, occupied_end=end, status=AppointmentStatus.BOOKED,
        source=AppointmentSource.STAFF, price=facial.price, currency=d.clinic.currency,
    )


async def mark(api, staff: str, appointment_id, outcome: str = "COMPLETED") -> dict:
    return (await api.data(MARK, {"id": str(appointment_id), "o": outcome}, staff))["markAppointment"]


async def test_a_completed_visit_credits_points_once_and_undoing_it_takes_them_back(api, demo):
    staff, client = await enrolled(api, demo, "Stamps", "POINTS", {"pointsPerVisit": 25}, "25 points a visit.")
    visit = await started_visit(demo)
    assert (await card(api, client, "Stamps"))["points"] == 0
    assert errors(await mark(api, staff, visit.id)) == []
    assert (await card(api, client, "Stamps"))["points"] == 25
    assert errors(await mark(api, staff, visit.id)) == ["APPOINTMENT_LOCKED"]  # marked twice: credited once
    assert (await card(api, client, "Stamps"))["points"] == 25

    undone = (await api.data(UNDO, {"id": str(visit.id)}, staff))["undoAppointmentOutcome"]
    assert undone == {"appointment": {"id": str(visit.id), "status": "BOOKED"}, "userErrors": []}
    assert (await card(api, client, "Stamps"))["points"] == 0
    again = (await api.data(UNDO, {"id": str(visit.id)}, staff))["undoAppointmentOutcome"]
    assert errors(again) == ["APPOINTMENT_LOCKED"]
    assert errors(await mark(api, staff, visit.id)) == []
    assert (await card(api, client, "Stamps"))["points"] == 25
    rows = await LedgerEntry.filter(appointment_id=visit.id, units__not_isnull=True, loyalty_card__programme__name="Stamps")
    assert sorted((r.kind, r.units) for r in rows) == sorted(
        [(LedgerKind.EARNED, 25), (LedgerKind.REVERSED, -25), (LedgerKind.EARNED, 25)]
    )


async def test_a_no_show_earns_nothing_and_nobody_else_may_undo_outcomes(api, demo):
    staff, client = await enrolled(api, demo, "Stamps", "POINTS", {"pointsPerVisit": 5})
    visit = await started_visit(demo)
    assert errors(await mark(api, staff, visit.id, "NO_SHOW")) == []
    assert (await card(api, client, "Stamps"))["points"] == 0
    assert errors((await api.data(UNDO, {"id": str(visit.id)}, client))["undoAppointmentOutcome"]) == ["UNAUTHENTICATED"]
    northside = await staff_token(api, "northside")
    assert errors((await api.data(UNDO, {"id": str(visit.id)}, northside))["undoAppointmentOutcome"]) == ["NOT_FOUND"]
    assert (await Appointment.get(id=visit.id)).status is AppointmentStatus.NO_SHOW


async def test_cashback_is_a_share_of_what_was_paid_and_follows_payments_and_refunds(api, demo):
    staff, client = await enrolled(api, demo, "Cash back", "CASHBACK", {"cashbackPercent": "5"})
    visit = await started_visit(demo)
    assert errors(await mark(api, staff, visit.id)) == []
    assert (await card(api, client, "Cash back"))["cashback"] == {"amount": "0.00", "currency": "GBP"}  # nothing paid yet
    payment_id = (await record(api, staff, visit.id, "60.00"))["payment"]["id"]
    assert (await card(api, client, "Cash back"))["cashback"]["amount"] == "3.00"
    assert (await refund(api, staff, payment_id, "20.00"))["userErrors"] == []
    assert (await card(api, client, "Cash back"))["cashback"]["amount"] == "2.00"
    assert (await refund(api, staff, payment_id, "40.00"))["userErrors"] == []
    assert (await card(api, client, "Cash back"))["cashback"]["amount"] == "0.00"


async def test_payments_recorded_at_once_credit_the_share_of_their_sum(api, demo):
    staff, client = await enrolled(api, demo, "Cash back", "CASHBACK", {"cashbackPercent": "10"})
    visit = await started_visit(demo)
    assert errors(await mark(api, staff, visit.id)) == []
    amounts = ["12.30", "7.70", "30.00", "50.00"]
    results = await asyncio.gather(*(record(api, staff, visit.id, amount) for amount in amounts))
    assert [r["userErrors"] for r in results] == [[]] * len(amounts)
    share = (sum(Decimal(a) for a in amounts) / 10).quantize(Decimal("0.01"))
    assert (await card(api, client, "Cash back"))["cashback"]["amount"] == f"{share:.2f}"


async def test_points_per_amount_count_whole_steps_paid_and_a_full_refund_takes_per_visit_points_back(api, demo):
    staff, client = await enrolled(api, demo, "Spend", "POINTS", {"pointsPerAmount": 3, "amountStep": "10"})
    visit = await started_visit(demo)
    payment_id = (await record(api, staff, visit.id, "45.50"))["payment"]["id"]
    assert (await card(api, client, "Spend"))["points"] == 0  # paid, not yet completed
    assert errors(await mark(api, staff, visit.id)) == []
    assert (await card(api, client, "Spend"))["points"] == 4 * 3
    # The demo's Glow Rewards card earns per visit: the same visit earned there too, until refunded in full.
    glow = (await card(api, client, "Glow Rewards"))["points"]
    assert (await refund(api, staff, payment_id, "45.50"))["userErrors"] == []
    assert (await card(api, client, "Spend"))["points"] == 0
    assert (await card(api, client, "Glow Rewards"))["points"] == glow - (await card(api, client, "Glow Rewards"))["rule"]["pointsPerVisit"]


async def test_a_discount_card_lowers_the_price_quoted_and_booked_for_its_holder_only(api, demo):
    staff, client = await enrolled(api, demo, "VIP", "DISCOUNT", {"discountPercent": 20}, "20% off while a member.")
    facial = demo["demo"].treatments["Facial"]
    expected = (facial.price * Decimal("0.8")).quantize(Decimal("0.01"))
    prices = {t["name"]: t for t in (await api.data(PRICES, {"s": "demo"}, client))["clinic"]["treatments"]}
    assert prices["Facial"]["price"]["amount"] == f"{facial.price:.2f}"
    assert prices["Facial"]["priceForMe"] == {"amount": f"{expected:.2f}", "currency": "GBP"}
    public = {t["name"]: t for t in (await api.data(PRICES, {"s": "demo"}))["clinic"]["treatments"]}
    assert public["Facial"]["priceForMe"]["amount"] == f"{facial.price:.2f}"

    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 11))}, client))["bookAppointment"]
    assert errors(booked) == [] and booked["appointment"]["price"]["amount"] == f"{expected:.2f}"
    for_them = book_input(demo, start=at(6, 14), clientId=str(demo["demo"].client.id))
    by_staff = (await api.data(BOOK, {"input": for_them}, staff))["bookAppointment"]
    assert errors(by_staff) == [] and by_staff["appointment"]["price"]["amount"] == f"{expected:.2f}"
    # A stranger typing in the holder's details (where the clinic asks no code for it)
    # is quoted and booked the ordinary price.
    await Clinic.filter(id=demo["demo"].clinic.id).update(verify_manual_entry=False)
    details = {"fullName": "Someone", "email": "client@demo.clinic", "phone": "+447700900001"}
    anonymous = (await api.data(BOOK, {"input": book_input(demo, start=at(7, 11), client=details)}))["bookAppointment"]
    assert errors(anonymous) == []
    assert (await Appointment.get(id=anonymous["appointment"]["id"])).price == facial.price
    northside = (await api.data(PRICES, {"s": "northside"}, await client_token(api, "northside")))["clinic"]["treatments"]
    assert all(t["priceForMe"] == {"amount": t["price"]["amount"], "currency": "USD"} for t in northside)


async def test_the_personal_account_shows_the_card_rule_and_terms(api, demo):
    terms = "Cashback is credited after each completed visit and spent at the desk."
    _, client = await enrolled(api, demo, "Cash back", "CASHBACK", {"cashbackPercent": "2.5"}, terms)
    shown = await card(api, client, "Cash back")
    assert shown["terms"] == terms
    assert shown["rule"]["cashbackPercent"] == "2.50" and shown["rule"]["pointsPerVisit"] is None
    assert "2.5%" in shown["rule"]["description"]
    glow = await card(api, client, "Glow Rewards")
    assert glow["rule"]["pointsPerVisit"] > 0 and str(glow["rule"]["pointsPerVisit"]) in glow["rule"]["description"]
    assert glow["terms"]


async def test_the_rule_reads_in_the_language_of_the_clients_page(api, demo):
    _, client = await enrolled(api, demo, "Spend", "POINTS", {"pointsPerAmount": 3, "amountStep": "12.5"})
    english = (await card(api, client, "Spend"))["rule"]["description"]
    assert english == "3 points for every £12.50 paid"
    headers = {"accept-language": "de-DE,de;q=0.9", "authorization": f"Bearer {client}"}
    body = (await api.http.post("/graphql", json={"query": CARDS}, headers=headers)).json()
    german = next(c for c in body["data"]["me"]["loyaltyCards"] if c["programme"] == "Spend")["rule"]["description"]
    wanted = i18n.translations("de").ngettext("{points} point for every {amount} paid", "{points} points for every {amount} paid", 3)
    assert german == wanted.format(points=3, amount=i18n.money("12.5", "GBP", "de", "GB"))
    assert german != english and "12,50" in german


async def test_staff_set_the_rule_and_terms_and_bad_input_names_the_field(api, demo):
    staff = await staff_token(api)

    async def refused(kind: str, rule: dict | None, terms: str | None = None) -> list:
        made = (await api.data(CREATE, {"n": "Bad", "k": kind, "r": rule, "t": terms}, staff))["createLoyaltyProgramme"]
        assert made["programme"] is None
        return [(e["code"], e["field"]) for e in made["userErrors"]]

    assert await refused("POINTS", {"pointsPerVisit": 0}) == [("INVALID_INPUT", ["rule", "pointsPerVisit"])]
    assert await refused("POINTS", {"pointsPerVisit": 5, "pointsPerAmount": 1, "amountStep": "10"}) == [
        ("INVALID_INPUT", ["rule", "pointsPerAmount"])
    ]
    assert await refused("POINTS", {"pointsPerAmount": 1}) == [("INVALID_INPUT", ["rule", "amountStep"])]
    assert await refused("POINTS", {"pointsPerAmount": 1, "amountStep": "ten"}) == [("INVALID_INPUT", ["rule", "amountStep"])]
    assert await refused("POINTS", {"cashbackPercent": "5"}) == [("INVALID_INPUT", ["rule", "cashbackPercent"])]
    assert await refused("CASHBACK", {"cashbackPercent": "150"}) == [("INVALID_INPUT", ["rule", "cashbackPercent"])]
    assert await refused("CASHBACK", {"cashbackPercent": "1.234"}) == [("INVALID_INPUT", ["rule", "cashbackPercent"])]
    assert await refused("DISCOUNT", {"discountPercent": 101}) == [("INVALID_INPUT", ["rule", "discountPercent"])]
    assert await refused("DISCOUNT", None) == [("INVALID_INPUT", ["rule", "discountPercent"])]
    assert await refused("POINTS", {"pointsPerVisit": 5}, "x" * 5001) == [("INVALID_INPUT", ["terms"])]

    made = (await api.data(CREATE, {"n": "Stamps", "k": "POINTS", "r": {"pointsPerVisit": 5}, "t": "Old"}, staff))
    programme_id = made["createLoyaltyProgramme"]["programme"]["id"]
    changed = (await api.data(UPDATE, {"id": programme_id, "input": {"rule": {"pointsPerAmount": 2, "amountStep": "5"}, "terms": "New"}}, staff))
    assert changed["updateLoyaltyProgramme"] == {
        "programme": {"name": "Stamps", "terms": "New", "rule": {
            "pointsPerVisit": None, "pointsPerAmount": 2, "cashbackPercent": None, "description": "2 points for every £5.00 paid",
        }},
        "userErrors": [],
    }
    wrong_kind = (await api.data(UPDATE, {"id": programme_id, "input": {"rule": {"discountPercent": 5}}}, staff))
    assert [(e["code"], e["field"]) for e in wrong_kind["updateLoyaltyProgramme"]["userErrors"]] == [
        ("INVALID_INPUT", ["rule", "discountPercent"])
    ]
    taken = (await api.data(UPDATE, {"id": programme_id, "input": {"name": "Glow Rewards"}}, staff))
    assert [(e["code"], e["field"]) for e in taken["updateLoyaltyProgramme"]["userErrors"]] == [("INVALID_INPUT", ["name"])]
    listed = (await api.data("{ loyaltyProgrammes { name terms } }", token=staff))["loyaltyProgrammes"]
    assert {"name": "Stamps", "terms": "New"} in listed

    northside = await staff_token(api, "northside")
    foreign = (await api.data(UPDATE, {"id": programme_id, "input": {"terms": "Mine"}}, northside))
    assert [e["code"] for e in foreign["updateLoyaltyProgramme"]["userErrors"]] == ["NOT_FOUND"]
    client = await client_token(api)
    by_client = (await api.data(UPDATE, {"id": programme_id, "input": {"terms": "Mine"}}, client))
    assert [e["code"] for e in by_client["updateLoyaltyProgramme"]["userErrors"]] == ["UNAUTHENTICATED"]
    issue_foreign = (await api.data(ISSUE, {"c": str(demo["northside"].client.id), "p": programme_id}, staff))
    assert [e["code"] for e in issue_foreign["issueLoyaltyCard"]["userErrors"]] == ["NOT_FOUND"]
