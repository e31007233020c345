"""Balances as ledgers: the demo client's holdings, memberships used and
returned by bookings, gift cards, loyalty cards, the account ledger, and who
may see and change them."""

import asyncio
from datetime import UTC, datetime, timedelta

from models import Actor, Client, LedgerAccount, LedgerEntry, LedgerKind, LoyaltyCard, Membership
from resolvers.account.auth import hash_password
from resolvers.demo.balances import POINTS_PER_VISIT
from tests.support.booking import BOOK, CANCEL, RESCHEDULE, at, book_input, errors
from tests.conftest import client_token, staff_token

HOLDINGS = (
    "{ me { accountBalance { amount currency }"
    " accountLedger { edges { node { amount { amount } reason kind actor } cursor } pageInfo { hasNextPage endCursor } }"
    " memberships { id name treatments { name } sessionsTotal sessionsRemaining expiresAt }"
    " giftCards { id code initialValue { amount currency } remainingValue { amount } expiresAt }"
    " loyaltyCards { programme kind points cashback { amount } discountPercent } } }"
)
ISSUE_MEMBERSHIP = (
    "mutation($c: ID!, $n: String!, $t: [ID!]!, $s: Int!, $e: DateTime) {"
    " issueMembership(clientId: $c, name: $n, treatmentIds: $t, sessions: $s, expiresAt: $e)"
    " { membership { id sessionsTotal sessionsRemaining treatments { name } } userErrors { code field } } }"
)
ADJUST_SESSIONS = (
    "mutation($m: ID!, $s: Int!, $r: String!) { adjustMembershipSessions(membershipId: $m, sessions: $s, reason: $r)"
    " { membership { sessionsTotal sessionsRemaining } userErrors { code field } } }"
)
ADJUST_ACCOUNT = (
    "mutation($c: ID!, $a: String!, $r: String!) { adjustAccountBalance(clientId: $c, amount: $a, reason: $r)"
    " { balance { amount currency } entry { amount { amount } reason actor } userErrors { code field } } }"
)
ISSUE_CARD = (
    "mutation($v: String!, $c: ID, $e: DateTime) { issueGiftCard(initialValue: $v, clientId: $c, expiresAt: $e)"
    " { giftCard { code initialValue { amount } remainingValue { amount } } userErrors { code field } } }"
)
REDEEM = (
    "mutation($c: String!, $a: String!) { redeemGiftCard(code: $c, amount: $a)"
    " { giftCard { initialValue { amount } remainingValue { amount } } userErrors { code field } } }"
)


async def holdings(api, token) -> dict:
    return (await api.data(HOLDINGS, token=token))["me"]


async def sessions_left(api, token) -> int:
    return (await holdings(api, token))["memberships"][0]["sessionsRemaining"]


async def test_the_demo_client_sees_the_membership_gift_card_loyalty_card_and_credit_the_seed_gives(api):
    me = await holdings(api, await client_token(api))
    assert me["accountBalance"] == {"amount": "10.00", "currency": "GBP"}
    assert [e["node"]["reason"] for e in me["accountLedger"]["edges"]] == ["Welcome credit"]
    [course] = me["memberships"]
    assert course["treatments"] == [{"name": "Facial"}]
    assert (course["sessionsTotal"], course["sessionsRemaining"]) == (6, 5)  # the upcoming facial holds one
    [card] = me["giftCards"]
    assert len(card["code"]) == 16 and card["initialValue"] == {"amount": "50.00", "currency": "GBP"}
    assert card["remainingValue"] == {"amount": "50.00"}
    assert me["loyaltyCards"] == [
        # 120 given by hand, and what the completed past visit earned under the programme's rule
        {"programme": "Glow Rewards", "kind": "POINTS", "points": 120 + POINTS_PER_VISIT, "cashback": None, "discountPercent": None}
    ]


async def test_a_session_used_by_a_booking_comes_back_when_it_is_cancelled_in_time(api, demo):
    token = await client_token(api)
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 11))}, token=token))["bookAppointment"]
    assert errors(booked) == [] and await sessions_left(api, token) == 4
    cancelled = (await api.data(CANCEL, {"id": booked["appointment"]["id"]}, token=token))["cancelAppointment"]
    assert errors(cancelled) == [] and await sessions_left(api, token) == 5
    kinds = await LedgerEntry.filter(account=LedgerAccount.MEMBERSHIP).order_by("created_at").values_list("kind", "actor")
    assert kinds[-2:] == [(LedgerKind.USED, Actor.SYSTEM), (LedgerKind.RETURNED, Actor.SYSTEM)]


def _soon() -> str:
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=3)
    return start.replace(minute=start.minute // 15 * 15).isoformat()


async def test_a_session_is_not_returned_when_the_booking_is_cancelled_late_even_by_staff(api, demo):
    client, staff = await client_token(api), await staff_token(api)
    late = book_input(demo, start=_soon(), clientId=str(demo["demo"].client.id))
    booked = (await api.data(BOOK, {"input": late}, token=staff))["bookAppointment"]
    assert errors(booked) == [] and await sessions_left(api, client) == 4
    refused = (await api.data(CANCEL, {"id": booked["appointment"]["id"]}, token=client))["cancelAppointment"]
    assert errors(refused) == ["CANCELLATION_WINDOW_CLOSED"]
    cancelled = (await api.data(CANCEL, {"id": booked["appointment"]["id"]}, token=staff))["cancelAppointment"]
    assert errors(cancelled) == [] and await sessions_left(api, client) == 4


async def test_a_moved_booking_keeps_its_session(api, demo):
    token = await client_token(api)
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 11))}, token=token))["bookAppointment"]
    moved = (await api.data(RESCHEDULE, {"id": booked["appointment"]["id"], "start": at(7, 14)}, token=token))
    new_id = moved["rescheduleAppointment"]["appointment"]["id"]
    assert await sessions_left(api, token) == 4
    await api.data(CANCEL, {"id": new_id}, token=token)
    assert await sessions_left(api, token) == 5


async def test_a_booking_uses_no_session_when_none_is_left_or_the_membership_has_expired(api, demo):
    token, staff = await client_token(api), await staff_token(api)
    membership_id = (await holdings(api, token))["memberships"][0]["id"]
    emptied = (await api.data(ADJUST_SESSIONS, {"m": membership_id, "s": -5, "r": "Refunded"}, token=staff))
    assert emptied["adjustMembershipSessions"]["membership"] == {"sessionsTotal": 1, "sessionsRemaining": 0}
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 11))}, token=token))["bookAppointment"]
    assert errors(booked) == [] and await sessions_left(api, token) == 0
    await api.data(ADJUST_SESSIONS, {"m": membership_id, "s": 3, "r": "Goodwill"}, token=staff)
    await Membership.filter(id=membership_id).update(expires_at=datetime.now(UTC) + timedelta(days=1))
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 14))}, token=token))["bookAppointment"]
    assert errors(booked) == [] and await sessions_left(api, token) == 3


async def test_the_last_session_is_used_by_only_one_of_two_concurrent_bookings(api, demo):
    token, staff = await client_token(api), await staff_token(api)
    membership_id = (await holdings(api, token))["memberships"][0]["id"]
    await api.data(ADJUST_SESSIONS, {"m": membership_id, "s": -4, "r": "Leave one"}, token=staff)
    results = await asyncio.gather(
        *(api.data(BOOK, {"input": book_input(demo, start=at(6 + n, 11))}, token=token) for n in range(2))
    )
    assert [errors(r["bookAppointment"]) for r in results] == [[], []]
    assert await sessions_left(api, token) == 0
    assert await LedgerEntry.filter(membership_id=membership_id, kind=LedgerKind.USED).count() == 2  # seed + one


async def test_the_account_balance_is_the_sum_of_its_ledger_newest_first(api, demo):
    token, staff = await client_token(api), await staff_token(api)
    client_id = str(demo["demo"].client.id)
    paid = (await api.data(ADJUST_ACCOUNT, {"c": client_id, "a": "20", "r": "Paid in advance"}, token=staff))
    assert paid["adjustAccountBalance"]["balance"] == {"amount": "30.00", "currency": "GBP"}
    assert paid["adjustAccountBalance"]["entry"]["actor"] == "STAFF"
    owed = (await api.data(ADJUST_ACCOUNT, {"c": client_id, "a": "-35.50", "r": "Products"}, token=staff))
    assert owed["adjustAccountBalance"]["balance"]["amount"] == "-5.50"
    me = await holdings(api, token)
    assert me["accountBalance"]["amount"] == "-5.50"
    assert [e["node"]["reason"] for e in me["accountLedger"]["edges"]] == ["Products", "Paid in advance", "Welcome credit"]
    page = await api.data("{ me { accountLedger(first: 1) { edges { node { reason } } pageInfo { hasNextPage endCursor } } } }", token=token)
    cursor = page["me"]["accountLedger"]["pageInfo"]["endCursor"]
    rest = await api.data("query($a: String) { me { accountLedger(first: 5, after: $a) { edges { node { reason } } } } }", {"a": cursor}, token=token)
    assert [e["node"]["reason"] for e in rest["me"]["accountLedger"]["edges"]] == ["Paid in advance", "Welcome credit"]
    assert await LedgerEntry.filter(account=LedgerAccount.ACCOUNT, client_id=client_id).count() == 3


async def test_bad_amounts_and_missing_reasons_are_refused_and_write_nothing(api, demo):
    staff = await staff_token(api)
    client_id = str(demo["demo"].client.id)
    before = await LedgerEntry.all().count()
    for amount, reason in (("1.005", "x"), ("abc", "x"), ("0", "x"), ("NaN", "x"), ("5", "  ")):
        answer = (await api.data(ADJUST_ACCOUNT, {"c": client_id, "a": amount, "r": reason}, token=staff))
        assert errors(answer["adjustAccountBalance"]) == ["INVALID_INPUT"]
    assert await LedgerEntry.all().count() == before


async def test_a_gift_card_is_spent_in_parts_never_past_its_value(api, demo):
    staff = await staff_token(api)
    issued = (await api.data(ISSUE_CARD, {"v": "30.00", "c": str(demo["demo"].client.id)}, token=staff))["issueGiftCard"]
    code = issued["giftCard"]["code"]
    spent = (await api.data(REDEEM, {"c": code.lower(), "a": "12.50"}, token=staff))["redeemGiftCard"]
    assert spent["giftCard"] == {"initialValue": {"amount": "30.00"}, "remainingValue": {"amount": "17.50"}}
    too_much = (await api.data(REDEEM, {"c": code, "a": "20"}, token=staff))["redeemGiftCard"]
    assert errors(too_much) == ["INVALID_INPUT"]
    results = await asyncio.gather(*(api.data(REDEEM, {"c": code, "a": "10"}, token=staff) for _ in range(3)))
    assert sorted(str(errors(r["redeemGiftCard"])) for r in results) == ["['INVALID_INPUT']"] * 2 + ["[]"]
    me = await holdings(api, await client_token(api))
    assert [c["remainingValue"]["amount"] for c in me["giftCards"]] == ["7.50", "50.00"]


async def test_an_expired_or_unknown_gift_card_cannot_be_spent(api, demo):
    staff = await staff_token(api)
    code = (await holdings(api, await client_token(api)))["giftCards"][0]["code"]
    from models import GiftCard

    await GiftCard.filter(code=code).update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    assert errors((await api.data(REDEEM, {"c": code, "a": "1"}, token=staff))["redeemGiftCard"]) == ["TOKEN_EXPIRED"]
    assert errors((await api.data(REDEEM, {"c": "NOSUCHCODE", "a": "1"}, token=staff))["redeemGiftCard"]) == ["NOT_FOUND"]
    northside_code = (await holdings(api, await client_token(api, "northside")))["giftCards"][0]["code"]
    other = (await api.data(REDEEM, {"c": northside_code, "a": "1"}, token=staff))["redeemGiftCard"]
    assert errors(other) == ["NOT_FOUND"]


async def test_loyalty_cards_hold_cashback_or_a_discount_by_programme(api, demo):
    staff, token = await staff_token(api), await client_token(api)
    client_id = str(demo["demo"].client.id)
    create = "mutation($n: String!, $k: LoyaltyKind!, $d: Int) { createLoyaltyProgramme(name: $n, kind: $k, discountPercent: $d) { programme { id } userErrors { code field } } }"
    adjust = (
        "mutation($c: ID!, $p: ID!, $pts: Int, $cb: String) { adjustLoyaltyCard(clientId: $c, programmeId: $p, points: $pts, cashback: $cb, reason: \"Visit\")"
        " { loyaltyCard { kind points cashback { amount } discountPercent } userErrors { code field } } }"
    )
    cash = (await api.data(create, {"n": "Cash back", "k": "CASHBACK"}, token=staff))["createLoyaltyProgramme"]["programme"]["id"]
    vip = (await api.data(create, {"n": "VIP", "k": "DISCOUNT", "d": 10}, token=staff))["createLoyaltyProgramme"]["programme"]["id"]
    assert errors((await api.data(create, {"n": "Broken", "k": "DISCOUNT"}, token=staff))["createLoyaltyProgramme"]) == ["INVALID_INPUT"]
    card = (await api.data(adjust, {"c": client_id, "p": cash, "cb": "5.00"}, token=staff))["adjustLoyaltyCard"]["loyaltyCard"]
    assert card == {"kind": "CASHBACK", "points": 0, "cashback": {"amount": "5.00"}, "discountPercent": None}
    wrong = (await api.data(adjust, {"c": client_id, "p": cash, "pts": 5}, token=staff))["adjustLoyaltyCard"]
    assert errors(wrong) == ["INVALID_INPUT"]
    below = (await api.data(adjust, {"c": client_id, "p": cash, "cb": "-6.00"}, token=staff))["adjustLoyaltyCard"]
    assert errors(below) == ["INVALID_INPUT"]
    await api.data(adjust, {"c": client_id, "p": vip}, token=staff)
    cards = {c["programme"]: c for c in (await holdings(api, token))["loyaltyCards"]}
    assert cards["VIP"]["discountPercent"] == 10 and cards["Cash back"]["cashback"] == {"amount": "5.00"}


async def test_first_adjustments_of_a_card_made_at_once_all_count_on_one_card(api, demo):
    staff = await staff_token(api)
    client_id = str(demo["demo"].client.id)
    create = "mutation { createLoyaltyProgramme(name: \"Stamps\", kind: POINTS) { programme { id } } }"
    stamps = (await api.data(create, None, token=staff))["createLoyaltyProgramme"]["programme"]["id"]
    adjust = (
        "mutation($c: ID!, $p: ID!, $pts: Int) { adjustLoyaltyCard(clientId: $c, programmeId: $p, points: $pts, reason: \"Visit\")"
        " { loyaltyCard { points } userErrors { code } } }"
    )
    taken = await api.data(adjust, {"c": client_id, "p": stamps, "pts": -1}, token=staff)
    assert errors(taken["adjustLoyaltyCard"]) == ["INVALID_INPUT"]  # nothing to take from: no card is made
    assert await LoyaltyCard.filter(programme_id=stamps).count() == 0
    answers = await asyncio.gather(*(api.data(adjust, {"c": client_id, "p": stamps, "pts": 10}, token=staff) for _ in range(6)))
    assert [errors(a["adjustLoyaltyCard"]) for a in answers] == [[]] * 6
    assert await LoyaltyCard.filter(programme_id=stamps).count() == 1
    cards = {c["programme"]: c for c in (await holdings(api, await client_token(api)))["loyaltyCards"]}
    assert cards["Stamps"]["points"] == 60


async def test_one_client_never_sees_another_clients_balances_or_appointments(api, demo, runtime):
    clinic = demo["demo"].clinic
    other = await Client.create(
        clinic=clinic, full_name="Other Client", email="other@demo.clinic", phone="+447700900555",
        password_hash=await hash_password(runtime, "other-client-pass"),
    )
    staff = await staff_token(api)
    issued = await api.data(
        ISSUE_MEMBERSHIP, {"c": str(other.id), "n": "Peels", "t": [str(demo["demo"].treatments["Chemical Peel"].id)], "s": 3},
        token=staff,
    )
    assert issued["issueMembership"]["membership"]["sessionsTotal"] == 3
    await api.data(ADJUST_ACCOUNT, {"c": str(other.id), "a": "-99.00", "r": "Owed"}, token=staff)
    mine = await holdings(api, await client_token(api))
    theirs = await holdings(api, await api.sign_in("demo", "other@demo.clinic", "other-client-pass"))
    assert [m["name"] for m in mine["memberships"]] == ["Course of six facials"]
    assert [m["name"] for m in theirs["memberships"]] == ["Peels"]
    assert mine["accountBalance"]["amount"] == "10.00" and theirs["accountBalance"]["amount"] == "-99.00"
    assert theirs["giftCards"] == [] and theirs["loyaltyCards"] == []
    other_token = await api.sign_in("demo", "other@demo.clinic", "other-client-pass")
    upcoming = await api.data("{ me { appointments(when: UPCOMING) { edges { node { id } } } } }", token=other_token)
    assert upcoming["me"]["appointments"]["edges"] == []
    jamie_appointment = await LedgerEntry.filter(appointment_id__isnull=False).first().values_list("appointment_id", flat=True)
    seen = await api.data("query($id: ID!) { appointment(id: $id) { id } }", {"id": str(jamie_appointment)}, token=other_token)
    assert seen["appointment"] is None


async def test_only_the_clinics_admins_issue_and_adjust_balances(api, demo):
    client_id = str(demo["demo"].client.id)
    variables = {"c": client_id, "a": "5", "r": "Free money"}
    as_client = await api.data(ADJUST_ACCOUNT, variables, token=await client_token(api))
    practitioner = await api.staff_sign_in("alex@demo.clinic", "demo-practitioner-pass")
    as_practitioner = await api.data(ADJUST_ACCOUNT, variables, token=practitioner)
    as_nobody = await api.data(ADJUST_ACCOUNT, variables)
    for answer in (as_client, as_practitioner, as_nobody):
        assert errors(answer["adjustAccountBalance"]) == ["UNAUTHENTICATED"]
    as_other_clinic = await api.data(ADJUST_ACCOUNT, variables, token=await staff_token(api, "northside"))
    assert errors(as_other_clinic["adjustAccountBalance"]) == ["NOT_FOUND"]
    treatment = str(demo["demo"].treatments["Facial"].id)
    cross = await api.data(
        ISSUE_MEMBERSHIP, {"c": str(demo["northside"].client.id), "n": "X", "t": [treatment], "s": 1},
        token=await staff_token(api),
    )
    assert errors(cross["issueMembership"]) == ["NOT_FOUND"]
    assert await LedgerEntry.filter(account=LedgerAccount.ACCOUNT, client_id=client_id).count() == 1


async def test_admins_read_a_clients_account_and_others_only_their_own(api, demo):
    query = (
        "query($id: ID!) { clientAccount(id: $id) { fullName accountBalance { amount }"
        " memberships { sessionsRemaining } appointments(when: UPCOMING) { edges { node { id } } } } }"
    )
    other = await Client.create(clinic=demo["demo"].clinic, full_name="Other Client", phone="+447700900556")
    staff = await staff_token(api)
    jamie = (await api.data(query, {"id": str(demo["demo"].client.id)}, token=staff))["clientAccount"]
    assert jamie["fullName"] == "Jamie Client" and jamie["accountBalance"] == {"amount": "10.00"}
    assert jamie["memberships"] == [{"sessionsRemaining": 5}] and len(jamie["appointments"]["edges"]) == 1
    assert (await api.data(query, {"id": str(other.id)}, token=staff))["clientAccount"]["appointments"]["edges"] == []
    practitioner = await api.staff_sign_in("alex@demo.clinic", "demo-practitioner-pass")
    for token in (practitioner, await staff_token(api, "northside"), None):
        assert (await api.data(query, {"id": str(demo["demo"].client.id)}, token=token))["clientAccount"] is None
    own = await client_token(api)  # a client reads only their own, as with `me`
    assert (await api.data(query, {"id": str(demo["demo"].client.id)}, token=own))["clientAccount"] == jamie
    assert (await api.data(query, {"id": str(other.id)}, token=own))["clientAccount"] is None


async def test_a_booking_that_fails_uses_no_session(api, demo):
    token = await client_token(api)
    practitioner = str(demo["demo"].practitioners["Alex Morgan"].id)
    slot = book_input(demo, start=at(6, 11), practitionerId=practitioner)
    first = (await api.data(BOOK, {"input": slot}, token=token))["bookAppointment"]
    second = (await api.data(BOOK, {"input": slot}, token=token))["bookAppointment"]
    assert errors(first) == [] and errors(second) == ["SLOT_UNAVAILABLE"]
    assert await sessions_left(api, token) == 4
