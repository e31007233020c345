"""The waitlist over GraphQL: joining, leaving, the staff's list, and a
freed time offered in join order with a single-use claim link."""

import asyncio
import re
from datetime import datetime, timedelta
from urllib.parse import unquote

from models import Client, CredentialKind, OutboxMessage, SlotHold, WaitlistOffer, utcnow
from resolvers.account import credentials
from resolvers.booking import waitlist_offers
from tests.conftest import client_token, staff_token
from tests.support.booking import BOOK, CANCEL, SLOTS, at, book_input, errors, working_day
from tests.support.holds import HOLD, RELEASE, from_address, hold_vars

ENTRY = "id status from to earliestTime latestTime treatment { name } practitioner { name }"
JOIN = (
    "mutation($input: JoinWaitlistInput!) { joinWaitlist(input: $input) {"
    f" entry {{ {ENTRY} }} userErrors {{ code message field }} }} }}"
)
LEAVE = f"mutation($id: ID!) {{ leaveWaitlist(id: $id) {{ entry {{ {ENTRY} }} userErrors {{ code field }} }} }}"
REMOVE = f"mutation($id: ID!) {{ removeWaitlistEntry(id: $id) {{ entry {{ {ENTRY} }} userErrors {{ code field }} }} }}"
MINE = f"{{ myWaitlist {{ {ENTRY} }} }}"
STAFF_LIST = f"{{ waitlist {{ {ENTRY} client {{ fullName }} }} }}"
CLAIM = (
    "mutation($t: String!) { claimWaitlistOffer(token: $t) {"
    " appointment { id start status practitioner { name } } entry { id status } userErrors { code message field } } }"
)
CLAIM_AT = (
    "mutation($t: String!, $c: String) { claimWaitlistOffer(token: $t, clinicSlug: $c) {"
    " appointment { id start } entry { id status } userErrors { code message field } } }"
)
SETTINGS = (
    "mutation($input: PortalSettingsInput!) { updatePortalSettings(input: $input) {"
    " clinic { waitlistOfferMode waitlistOfferMinutes } userErrors { code field } } }"
)


def _join_input(demo, days: int = 5, **extra) -> dict:
    day = working_day(days).date().isoformat()
    return {"clinicSlug": "demo", "treatmentId": str(demo["demo"].treatments["Facial"].id), "from": day, "to": day,
            "earliestTime": "10:00", "latestTime": "12:00", **extra}  # fmt: skip


async def _waiting_client(demo, n: int) -> str:
    """A client of the demo clinic with a portal session."""
    client = await Client.create(clinic_id=demo["demo"].clinic.id, full_name=f"Waiting {n}",
                                 email=f"waiting{n}@example.com", phone=f"+4477009{n + 100:05d}")  # fmt: skip
    token, _ = await credentials.issue(CredentialKind.CLIENT_SESSION, demo["demo"].clinic.id,
                                       client_id=client.id, lifetime=timedelta(hours=1))  # fmt: skip
    return token


async def _join(api, demo, token, **extra) -> dict:
    return (await api.data(JOIN, {"input": _join_input(demo, **extra)}, token))["joinWaitlist"]


async def _booked_then_cancelled(api, demo, staff: str, hour: int = 11) -> dict:
    """Staff book Alex at `hour` for the demo client, then cancel it: the time comes free."""
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(5, hour), practitionerId=alex,
                                                        clientId=str(demo["demo"].client.id))}, staff))  # fmt: skip
    appointment = booked["bookAppointment"]["appointment"]
    assert (await api.data(CANCEL, {"id": appointment["id"]}, staff))["cancelAppointment"]["userErrors"] == []
    return appointment


async def _offer_links(demo) -> dict[str, str]:
    """Phone -> the claim token of each waitlist offer sent by SMS."""
    rows = await OutboxMessage.filter(clinic_id=demo["demo"].clinic.id, kind="sms")
    links = {}
    for row in rows:
        if row.payload.get("purpose") == "waitlist_offer":
            links[row.payload["to"]] = unquote(re.search(r"waitlist\?token=(\S+)", row.payload["body"]).group(1))
    return links


async def test_a_client_joins_sees_and_leaves_and_staff_read_and_remove(api, demo):
    token = await client_token(api)
    joined = await _join(api, demo, token, practitionerId=str(demo["demo"].practitioners["Sam Patel"].id))
    assert joined["userErrors"] == []
    entry = joined["entry"]
    assert entry["status"] == "WAITING" and entry["earliestTime"].startswith("10:00") and entry["practitioner"]["name"] == "Sam Patel"
    again = await _join(api, demo, token, practitionerId=str(demo["demo"].practitioners["Sam Patel"].id))
    assert again["entry"]["id"] == entry["id"]  # joining twice is waiting once
    mine = (await api.data(MINE, token=token))["myWaitlist"]
    assert entry["id"] in [e["id"] for e in mine] and len(mine) == 2  # the demo's own entry too

    staff = await staff_token(api)
    listed = (await api.data(STAFF_LIST, token=staff))["waitlist"]
    assert [e["client"]["fullName"] for e in listed if e["id"] == entry["id"]] == ["Jamie Client"]
    assert (await api.data(STAFF_LIST, token=await staff_token(api, "northside")))["waitlist"] != listed

    other = await _waiting_client(demo, 1)
    assert (await api.data(LEAVE, {"id": entry["id"]}, other))["leaveWaitlist"]["userErrors"] == [{"code": "NOT_FOUND", "field": ["id"]}]
    left = (await api.data(LEAVE, {"id": entry["id"]}, token))["leaveWaitlist"]
    assert left["entry"]["status"] == "LEFT"
    assert entry["id"] not in [e["id"] for e in (await api.data(MINE, token=token))["myWaitlist"]]

    second = (await _join(api, demo, token))["entry"]
    removed = (await api.data(REMOVE, {"id": second["id"]}, staff))["removeWaitlistEntry"]
    assert removed["entry"]["status"] == "REMOVED"
    assert (await api.data(REMOVE, {"id": second["id"]}, token))["removeWaitlistEntry"]["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_joining_with_bad_input_is_refused_with_the_field(api, demo):
    token = await client_token(api)
    yesterday = (working_day(0).date() - timedelta(days=2)).isoformat()
    later = working_day(8).date().isoformat()
    cases = (
        ({"from": later, "to": working_day(5).date().isoformat()}, "INVALID_INPUT", ["input", "to"]),
        ({"from": yesterday}, "INVALID_INPUT", ["input", "from"]),
        ({"earliestTime": "12:00", "latestTime": "11:00"}, "INVALID_INPUT", ["input", "latestTime"]),
        ({"treatmentId": "not-an-id"}, "NOT_FOUND", ["input", "treatmentId"]),
        ({"clinicSlug": "northside"}, "NOT_FOUND", ["clinicSlug"]),
    )
    for extra, code, field in cases:
        answer = await _join(api, demo, token, **extra)
        assert [(e["code"], e["field"]) for e in answer["userErrors"]] == [(code, field)], extra
    anonymous = await _join(api, demo, None)
    assert errors(anonymous) == ["UNAUTHENTICATED"]


async def test_a_cancelled_time_is_offered_to_the_first_in_line_held_for_them_and_their_link_books_it(api, demo):
    first, second = await _waiting_client(demo, 1), await _waiting_client(demo, 2)
    for token in (first, second):
        assert (await _join(api, demo, token))["userErrors"] == []
    staff = await staff_token(api)
    freed = await _booked_then_cancelled(api, demo, staff)

    links = await _offer_links(demo)
    assert list(links) == ["+447700900101"]  # the first to join, by SMS (the demo clinic has SMS)
    day = working_day(5).date().isoformat()
    slots = (await api.data(SLOTS, {"c": "demo", "t": str(demo["demo"].treatments["Facial"].id), "f": day, "l": day,
                                    "p": str(demo["demo"].practitioners["Alex Morgan"].id)}))["availableSlots"]  # fmt: skip
    assert freed["start"] not in [s["start"] for s in slots]  # held for the first in line

    foreign = (await api.data(CLAIM_AT, {"t": links["+447700900101"], "c": "northside"}))["claimWaitlistOffer"]
    assert errors(foreign) == ["TOKEN_INVALID"]  # another clinic's page: as unknown, and not spent
    claimed = (await api.data(CLAIM_AT, {"t": links["+447700900101"], "c": "demo"}))["claimWaitlistOffer"]
    assert claimed["userErrors"] == []
    assert claimed["appointment"]["start"] == freed["start"] and claimed["entry"]["status"] == "BOOKED"
    again = (await api.data(CLAIM, {"t": links["+447700900101"]}))["claimWaitlistOffer"]
    assert errors(again) == ["TOKEN_ALREADY_USED"]
    assert errors((await api.data(CLAIM, {"t": "no-such-link"}))["claimWaitlistOffer"]) == ["TOKEN_INVALID"]
    assert [e["status"] for e in (await api.data(MINE, token=second))["myWaitlist"]] == ["WAITING"]


async def test_an_expired_offer_link_says_so(api, demo):
    token = await _waiting_client(demo, 1)
    await _join(api, demo, token)
    await _booked_then_cancelled(api, demo, await staff_token(api))
    [link] = (await _offer_links(demo)).values()
    await WaitlistOffer.all().update(expires_at=utcnow() - timedelta(seconds=1))
    assert errors((await api.data(CLAIM, {"t": link}))["claimWaitlistOffer"]) == ["TOKEN_EXPIRED"]


async def test_twenty_concurrent_claims_of_one_offer_book_once(api, demo):
    token = await _waiting_client(demo, 1)
    await _join(api, demo, token)
    await _booked_then_cancelled(api, demo, await staff_token(api))
    [link] = (await _offer_links(demo)).values()
    answers = await asyncio.gather(*(api.data(CLAIM, {"t": link}) for _ in range(20)))
    codes = [tuple(errors(a["claimWaitlistOffer"])) for a in answers]
    assert codes.count(()) == 1 and codes.count(("TOKEN_ALREADY_USED",)) == 19, codes


async def test_with_offers_to_all_the_first_claim_books_and_the_others_stay_waiting(api, demo):
    staff = await staff_token(api)
    changed = (await api.data(SETTINGS, {"input": {"waitlistOfferMode": "ALL", "waitlistOfferMinutes": 15}}, staff))
    assert changed["updatePortalSettings"] == {"clinic": {"waitlistOfferMode": "ALL", "waitlistOfferMinutes": 15}, "userErrors": []}
    tokens = [await _waiting_client(demo, n) for n in (1, 2, 3)]
    for token in tokens:
        await _join(api, demo, token)
    await _booked_then_cancelled(api, demo, staff)
    links = await _offer_links(demo)
    assert sorted(links) == ["+447700900101", "+447700900102", "+447700900103"]  # everyone, at once
    offers = await WaitlistOffer.all()
    assert all(o.hold_id is None and abs(o.expires_at - o.created_at - timedelta(minutes=15)) < timedelta(seconds=5) for o in offers)

    won = (await api.data(CLAIM, {"t": links["+447700900103"]}))["claimWaitlistOffer"]
    assert won["userErrors"] == []
    late = (await api.data(CLAIM, {"t": links["+447700900101"]}))["claimWaitlistOffer"]
    assert errors(late) == ["SLOT_UNAVAILABLE"]
    assert [e["status"] for e in (await api.data(MINE, token=tokens[0]))["myWaitlist"]] == ["WAITING"]


async def test_the_waitlist_settings_refuse_bad_input(api, demo):
    staff = await staff_token(api)
    for sent, field in (({"waitlistOfferMinutes": 4}, "waitlistOfferMinutes"), ({"waitlistOfferMinutes": 1441}, "waitlistOfferMinutes"),
                        ({"waitlistOfferMode": None}, "waitlistOfferMode")):  # fmt: skip
        answer = (await api.data(SETTINGS, {"input": sent}, staff))["updatePortalSettings"]
        assert answer["userErrors"] == [{"code": "INVALID_INPUT", "field": ["input", field]}], sent


async def test_a_released_hold_is_offered_to_the_waitlist(api, demo):
    token = await _waiting_client(demo, 1)
    await _join(api, demo, token)
    async with from_address(api, "10.9.0.1") as visitor:
        hold = (await visitor.data(HOLD, hold_vars(demo, at(5, 11))))["holdSlot"]["hold"]
        assert await _offer_links(demo) == {}
        assert (await visitor.data(RELEASE, {"id": hold["id"]}))["releaseHold"]["userErrors"] == []
    [link] = (await _offer_links(demo)).values()
    claimed = (await api.data(CLAIM, {"t": link}))["claimWaitlistOffer"]
    assert claimed["userErrors"] == [] and claimed["appointment"]["start"] == hold["start"]


async def test_a_hold_that_runs_out_unbooked_is_let_go_and_offered_to_the_waitlist(api, demo, runtime):
    token = await _waiting_client(demo, 1)
    await _join(api, demo, token)
    async with from_address(api, "10.9.0.2") as visitor:
        hold = (await visitor.data(HOLD, hold_vars(demo, at(5, 11))))["holdSlot"]["hold"]
    assert await waitlist_offers.let_go_of_lapsed_holds(runtime) == 0  # still held
    await SlotHold.filter(id=hold["id"]).update(expires_at=utcnow() - timedelta(seconds=1))
    assert await waitlist_offers.let_go_of_lapsed_holds(runtime) == 1
    assert await waitlist_offers.let_go_of_lapsed_holds(runtime) == 0  # let go once
    [link] = (await _offer_links(demo)).values()
    claimed = (await api.data(CLAIM, {"t": link}))["claimWaitlistOffer"]
    assert claimed["userErrors"] == [] and claimed["appointment"]["start"] == hold["start"]


async def test_extra_hours_on_a_roster_are_offered_to_the_waitlist(api, demo):
    token = await _waiting_client(demo, 1)
    assert (await _join(api, demo, token, earliestTime="18:00", latestTime="19:00"))["userErrors"] == []
    staff = await staff_token(api)
    added = await api.data(
        "mutation($p: ID!, $d: Date!) { addRosterException(practitionerId: $p, date: $d, kind: EXTRA, start: \"18:00\","
        " end: \"20:00\") { userErrors { code } } }",
        {"p": str(demo["demo"].practitioners["Alex Morgan"].id), "d": working_day(5).date().isoformat()}, staff,
    )
    assert added["addRosterException"]["userErrors"] == []
    [link] = (await _offer_links(demo)).values()  # one offer, for the earliest start
    claimed = (await api.data(CLAIM, {"t": link}))["claimWaitlistOffer"]
    assert claimed["userErrors"] == []
    assert datetime.fromisoformat(claimed["appointment"]["start"]) == datetime.fromisoformat(at(5, 18))


async def test_an_offer_held_for_the_first_in_line_that_runs_out_goes_to_the_next(api, demo, runtime):
    first, second = await _waiting_client(demo, 1), await _waiting_client(demo, 2)
    for token in (first, second):
        await _join(api, demo, token)
    await _booked_then_cancelled(api, demo, await staff_token(api))
    assert list(await _offer_links(demo)) == ["+447700900101"]
    assert await waitlist_offers.pass_on_lapsed(runtime) == 0  # nothing has run out yet
    await WaitlistOffer.all().update(expires_at=utcnow() - timedelta(seconds=1))
    await SlotHold.all().update(expires_at=utcnow() - timedelta(seconds=1))
    assert await waitlist_offers.pass_on_lapsed(runtime) == 1
    assert await waitlist_offers.pass_on_lapsed(runtime) == 0  # passed on once
    links = await _offer_links(demo)
    assert sorted(links) == ["+447700900101", "+447700900102"]
    assert errors((await api.data(CLAIM, {"t": links["+447700900101"]}))["claimWaitlistOffer"]) == ["TOKEN_EXPIRED"]
    assert (await api.data(CLAIM, {"t": links["+447700900102"]}))["claimWaitlistOffer"]["userErrors"] == []


async def test_a_claim_that_cannot_book_gives_its_held_time_to_the_next_in_line_at_once(api, demo):
    first, second = await _waiting_client(demo, 1), await _waiting_client(demo, 2)
    joined = await _join(api, demo, first)
    await _join(api, demo, second)
    freed = await _booked_then_cancelled(api, demo, await staff_token(api))
    links = await _offer_links(demo)
    assert list(links) == ["+447700900101"]  # held for the first in line
    assert (await api.data(LEAVE, {"id": joined["entry"]["id"]}, first))["leaveWaitlist"]["userErrors"] == []
    refused = (await api.data(CLAIM, {"t": links["+447700900101"]}))["claimWaitlistOffer"]
    assert errors(refused) == ["TOKEN_INVALID"]  # they left the list: their link books nothing
    given_up = await WaitlistOffer.all().order_by("created_at").first()
    assert given_up.status.value == "GONE" and (await SlotHold.get(id=given_up.hold_id)).status.value == "RELEASED"
    links = await _offer_links(demo)
    assert sorted(links) == ["+447700900101", "+447700900102"]  # the next in line is offered it now
    claimed = (await api.data(CLAIM, {"t": links["+447700900102"]}))["claimWaitlistOffer"]
    assert claimed["userErrors"] == [] and claimed["appointment"]["start"] == freed["start"]
