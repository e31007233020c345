"""Password reset by a single-use e-mailed link. The link is read from the
outbox row the request wrote."""

import asyncio
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from models import OutboxMessage, PasswordResetToken, utcnow
from resolvers.account.credentials import hash_token
from tests.conftest import client_token
from tests.account.test_sign_in import SIGN_IN

REQUEST = (
    "mutation($s: String!, $e: String!) { requestPasswordReset(clinicSlug: $s, email: $e)"
    " { sent userErrors { code message field retryAfterSeconds } } }"
)
RESET = (
    "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p)"
    " { session { token expiresAt } userErrors { code message field } } }"
)
EMAIL = "client@demo.clinic"
NEW_PASSWORD = "a-new-long-password"


async def request_reset(api, email=EMAIL) -> dict:
    return (await api.data(REQUEST, {"s": "demo", "e": email}))["requestPasswordReset"]


async def reset(api, token, password=NEW_PASSWORD) -> dict:
    return (await api.data(RESET, {"t": token, "p": password}))["resetPassword"]


async def link_token() -> str:
    [message] = await OutboxMessage.filter(kind="email")
    link = re.search(r"https?://\S+", message.payload["body"]).group(0)
    assert urlsplit(link).path == "/p/demo/reset-password"
    return parse_qs(urlsplit(link).query)["token"][0]


def code(payload: dict) -> str | None:
    return payload["userErrors"][0]["code"] if payload["userErrors"] else None


async def test_a_reset_link_sets_the_password_and_signs_out_every_other_session(api):
    old_session = await client_token(api)
    assert await request_reset(api, "Client@Demo.Clinic ") == {"sent": True, "userErrors": []}
    [message] = await OutboxMessage.filter(kind="email")
    assert message.payload["to"] == [EMAIL] and message.payload["purpose"] == "password_reset"
    done = await reset(api, await link_token())
    assert done["userErrors"] == [] and done["session"]["token"]
    signed_out = await api.post("{ me { email } }", token=old_session)
    assert [e["extensions"]["code"] for e in signed_out["errors"]] == ["UNAUTHENTICATED"]
    assert (await api.data("{ me { email } }", token=done["session"]["token"]))["me"] == {"email": EMAIL}
    old = await api.data(SIGN_IN, {"s": "demo", "e": EMAIL, "p": "demo-client-pass"})
    assert code(old["signIn"]) == "INVALID_CREDENTIALS"
    assert await api.sign_in("demo", EMAIL, NEW_PASSWORD)


async def test_a_reset_link_works_once(api):
    await request_reset(api)
    token = await link_token()
    assert (await reset(api, token))["session"]
    again = await reset(api, token, "yet-another-password")
    assert again["session"] is None and code(again) == "TOKEN_ALREADY_USED"


async def test_of_concurrent_uses_of_one_link_exactly_one_succeeds(api):
    await request_reset(api)
    token = await link_token()
    results = await asyncio.gather(*(reset(api, token, f"password-number-{n}") for n in range(5)))
    assert sorted(str(code(r)) for r in results) == ["None"] + ["TOKEN_ALREADY_USED"] * 4


async def test_an_unknown_address_gets_the_same_answer_and_no_email(api):
    assert await request_reset(api, "nobody@demo.clinic") == {"sent": True, "userErrors": []}
    assert not await OutboxMessage.filter(kind="email").exists()


async def test_only_the_sha256_of_the_link_token_is_stored(api):
    await request_reset(api)
    token = await link_token()
    assert len(token) >= 43
    row = await PasswordResetToken.get()
    assert row.token_hash == hash_token(token) and token not in row.token_hash


async def test_expired_and_unknown_links_are_refused(api):
    await request_reset(api)
    token = await link_token()
    await PasswordResetToken.all().update(expires_at=utcnow() - timedelta(seconds=1))
    assert code(await reset(api, token)) == "TOKEN_EXPIRED"
    assert code(await reset(api, "not-a-real-token")) == "TOKEN_INVALID"


async def test_a_too_short_password_is_refused_and_the_link_still_works(api):
    await request_reset(api)
    token = await link_token()
    short = await reset(api, token, "short")
    assert code(short) == "INVALID_INPUT" and short["userErrors"][0]["field"] == ["password"]
    assert (await reset(api, token))["session"]


async def test_reset_requests_for_one_account_are_rate_limited(api):
    answers = [code(await request_reset(api)) for _ in range(5)]
    assert answers == [None, None, None, "RATE_LIMITED", "RATE_LIMITED"]
    assert await OutboxMessage.filter(kind="email").count() == 3
    unknown = [code(await request_reset(api, "nobody@demo.clinic")) for _ in range(4)]
    assert unknown == [None, None, None, "RATE_LIMITED"]  # limited alike: no hint the account is missing
