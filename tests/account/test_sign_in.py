"""Signing in and out, and what a session can then see."""

import httpx

from models import Credential
from resolvers.account.credentials import hash_token
from tests.conftest import client_token

ME = "{ me { fullName email appointments(when: UPCOMING) { edges { node { start treatment { name } } } } } }"
SIGN_IN = (
    "mutation($s: String!, $e: String!, $p: String!) { signIn(clinicSlug: $s, email: $e, password: $p)"
    " { session { token expiresAt } userErrors { code message field retryAfterSeconds } } }"
)


async def test_a_signed_in_client_sees_their_upcoming_appointment(api):
    token = await client_token(api)
    me = (await api.data(ME, token=token))["me"]
    assert me["fullName"] == "Jamie Client"
    edges = me["appointments"]["edges"]
    assert [e["node"]["treatment"]["name"] for e in edges] == ["Facial"]


async def test_only_the_hash_of_a_session_token_is_stored(api):
    token = await client_token(api)
    assert await Credential.filter(token_hash=hash_token(token)).count() == 1
    assert not await Credential.filter(token_hash=token).exists()
    assert len(token) >= 43  # 256 bits, URL-safe base64


async def test_sign_out_makes_the_token_useless(api):
    token = await client_token(api)
    out = await api.data("mutation { signOut { ok userErrors { code } } }", token=token)
    assert out["signOut"] == {"ok": True, "userErrors": []}
    for query in (ME, "mutation { signOut { ok userErrors { code } } }"):
        refused = await api.post(query, token=token)
        assert "data" not in refused
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]


async def test_a_wrong_password_is_invalid_credentials(api):
    data = await api.data(SIGN_IN, {"s": "demo", "e": "client@demo.clinic", "p": "nope"})
    assert data["signIn"]["session"] is None
    assert data["signIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_an_unknown_email_answers_like_a_wrong_password(api):
    data = await api.data(SIGN_IN, {"s": "demo", "e": "nobody@demo.clinic", "p": "nope"})
    assert data["signIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_a_client_of_one_clinic_cannot_sign_in_to_another(api):
    data = await api.data(SIGN_IN, {"s": "northside", "e": "client@demo.clinic", "p": "demo-client-pass"})
    assert data["signIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_twenty_wrong_passwords_end_in_rate_limited_not_errors(api):
    codes = []
    for _ in range(20):
        body = await api.post(SIGN_IN, {"s": "demo", "e": "client@demo.clinic", "p": "wrong"})
        assert "errors" not in body
        codes.append(body["data"]["signIn"]["userErrors"][0]["code"])
    assert codes[:10] == ["INVALID_CREDENTIALS"] * 10
    assert set(codes[10:]) == {"RATE_LIMITED"}
    limited = await api.data(SIGN_IN, {"s": "demo", "e": "client@demo.clinic", "p": "demo-client-pass"})
    error = limited["signIn"]["userErrors"][0]
    assert error["code"] == "RATE_LIMITED" and error["retryAfterSeconds"] > 0


async def test_staff_sign_in_needs_no_clinic_slug(api):
    data = await api.data(
        'mutation { staffSignIn(email: "owner@northside.clinic", password: "northside-owner-pass")'
        " { session { token } userErrors { code } } }"
    )
    assert data["staffSignIn"]["session"]["token"]


async def test_sign_in_refuses_a_closed_portal(api, demo):
    demo["demo"].clinic.portal_enabled = False
    await demo["demo"].clinic.save()
    data = await api.data(SIGN_IN, {"s": "demo", "e": "client@demo.clinic", "p": "demo-client-pass"})
    assert data["signIn"]["userErrors"][0]["code"] == "PORTAL_DISABLED"


def _from(api, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=api.http._transport.app, client=(address, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _sign_in_code(client: httpx.AsyncClient, password: str) -> str | None:
    variables = {"s": "demo", "e": "client@demo.clinic", "p": password}
    errors = (await client.post("/graphql", json={"query": SIGN_IN, "variables": variables})).json()["data"]["signIn"]["userErrors"]
    return errors[0]["code"] if errors else None


async def test_guessing_from_one_address_does_not_lock_out_another(api):
    for _ in range(12):
        await api.post(SIGN_IN, {"s": "demo", "e": "client@demo.clinic", "p": "wrong"})
    limited = await api.data(SIGN_IN, {"s": "demo", "e": "client@demo.clinic", "p": "demo-client-pass"})
    assert limited["signIn"]["userErrors"][0]["code"] == "RATE_LIMITED"
    async with _from(api, "203.0.113.9") as elsewhere:
        assert await _sign_in_code(elsewhere, "demo-client-pass") is None


async def test_many_addresses_together_still_hit_the_per_account_cap(api):
    codes = []
    for n in range(6):  # 6 x 10 wrong guesses, each address under its own limit
        async with _from(api, f"198.51.100.{n}") as client:
            codes += [await _sign_in_code(client, "wrong") for _ in range(10)]
    assert codes.count("INVALID_CREDENTIALS") == 50 and codes.count("RATE_LIMITED") == 10


async def test_an_ipv6_host_cannot_rotate_through_its_slash_64(api):
    codes = []
    for n in range(12):
        async with _from(api, f"2001:db8::{n + 1:x}") as client:
            codes.append(await _sign_in_code(client, "wrong"))
    assert codes[:10] == ["INVALID_CREDENTIALS"] * 10 and codes[10:] == ["RATE_LIMITED"] * 2
