"""Pre-fill tokens: Book Now hands the booking page the client's details once."""

import asyncio
import logging
from datetime import timedelta

from models import Appointment, PrefillToken, utcnow
from models.db import connection
from resolvers.account.credentials import hash_token
from tests.support.booking import BOOK, CANCEL, book_input, errors
from tests.conftest import TABLES, client_token

CREATE = "mutation { createPrefillToken { token expiresAt bookingUrl userErrors { code } } }"
REDEEM = (
    "mutation($t: String!) { redeemPrefillToken(token: $t) {"
    " prefill { fullName email phone } bookingSession { token expiresAt } userErrors { code message field } } }"
)


async def _create(api) -> dict:
    made = (await api.data(CREATE, token=await client_token(api)))["createPrefillToken"]
    assert made["userErrors"] == []
    return made


async def test_book_now_gives_a_five_minute_token_and_a_booking_url(api):
    made = await _create(api)
    assert made["bookingUrl"] == f"http://127.0.0.1:8000/p/demo/book?token={made['token']}"
    row = await PrefillToken.get(token_hash=hash_token(made["token"]))
    assert timedelta(minutes=4, seconds=50) < row.expires_at - row.created_at <= timedelta(minutes=5)


async def test_redeeming_gives_the_details_and_a_session_that_books_for_that_client(api, demo):
    made = await _create(api)
    redeemed = (await api.data(REDEEM, {"t": made["token"]}))["redeemPrefillToken"]
    assert redeemed["prefill"] == {"fullName": "Jamie Client", "email": "client@demo.clinic", "phone": "+447700900001"}
    session = redeemed["bookingSession"]["token"]
    someone_else = {"fullName": "Mallory", "email": "mallory@example.com", "phone": "+447700900999"}
    booked = (await api.data(BOOK, {"input": book_input(demo, client=someone_else)}, session))["bookAppointment"]
    assert booked["userErrors"] == []
    assert (await Appointment.get(id=booked["appointment"]["id"])).client_id == demo["demo"].client.id


async def test_a_booking_session_may_only_book(api, demo):
    redeemed = (await api.data(REDEEM, {"t": (await _create(api))["token"]}))["redeemPrefillToken"]
    session = redeemed["bookingSession"]["token"]
    assert (await api.data("{ me { fullName } }", token=session))["me"] is None
    upcoming = await Appointment.get(client_id=demo["demo"].client.id, start_at__gt=utcnow())
    assert (await api.data("query($id: ID!) { appointment(id: $id) { id } }", {"id": str(upcoming.id)}, session))["appointment"] is None
    assert errors((await api.data(CANCEL, {"id": str(upcoming.id)}, session))["cancelAppointment"]) == ["NOT_FOUND"]
    again = (await api.data(CREATE, token=session))["createPrefillToken"]
    assert errors(again) == ["UNAUTHENTICATED"]


async def test_of_twenty_concurrent_redemptions_exactly_one_wins(api):
    token = (await _create(api))["token"]
    answers = await asyncio.gather(*(api.data(REDEEM, {"t": token}) for _ in range(20)))
    codes = [errors(a["redeemPrefillToken"]) for a in answers]
    assert codes.count([]) == 1
    assert sorted(c for c in codes if c) == [["TOKEN_ALREADY_USED"]] * 19


async def test_expired_used_and_unknown_tokens_have_their_own_codes(api):
    expired = (await _create(api))["token"]
    await PrefillToken.filter(token_hash=hash_token(expired)).update(expires_at=utcnow() - timedelta(seconds=1))
    used = (await _create(api))["token"]
    await api.data(REDEEM, {"t": used})
    for token, code in ((expired, "TOKEN_EXPIRED"), (used, "TOKEN_ALREADY_USED"), ("made-up", "TOKEN_INVALID"), ("", "TOKEN_INVALID")):
        answer = (await api.data(REDEEM, {"t": token}))["redeemPrefillToken"]
        assert errors(answer) == [code] and answer["bookingSession"] is None and answer["prefill"] is None


async def test_only_a_signed_in_client_can_create_one(api):
    assert errors((await api.data(CREATE))["createPrefillToken"]) == ["UNAUTHENTICATED"]


async def test_the_raw_token_is_in_no_table_and_no_log_line(api, demo, caplog):
    caplog.set_level(logging.DEBUG)
    made = await _create(api)
    redeemed = (await api.data(REDEEM, {"t": made["token"]}))["redeemPrefillToken"]
    await api.data(BOOK, {"input": book_input(demo)}, redeemed["bookingSession"]["token"])
    sql_lines = [r.getMessage() for r in caplog.records if r.name.startswith("tortoise")]
    assert any("prefill_token" in line for line in sql_lines)  # the SQL, with its values, was logged
    secrets = (made["token"], redeemed["bookingSession"]["token"])
    for secret in secrets:
        assert secret not in caplog.text
    conn = connection()
    for table in TABLES:
        for row in await conn.execute_query_dict(f"SELECT * FROM {table}"):
            text = " ".join(str(v) for v in row.values())
            for secret in secrets:
                assert secret not in text, table
