"""A bearer credential presented over HTTP either signs its holder in or is
refused with a top-level UNAUTHENTICATED error before anything runs; only
a missing one leaves the caller anonymous. Another clinic's objects still
answer exactly like missing ones."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from models import Appointment, AppointmentStatus, Credential, StaffUser, utcnow
from resolvers.account.credentials import hash_token
from tests.conftest import client_token, staff_token

ME = "{ me { fullName } }"
UPCOMING = "{ me { appointments(when: UPCOMING) { edges { node { id } } } } }"
CANCEL = "mutation($id: ID!) { cancelAppointment(id: $id) { appointment { id } userErrors { code message field } } }"
CALENDAR = '{ calendar(from: "2030-01-01T00:00:00Z", to: "2030-01-02T00:00:00Z") { id } }'


async def upcoming_id(api, token: str) -> str:
    return (await api.data(UPCOMING, token=token))["me"]["appointments"]["edges"][0]["node"]["id"]


async def send(api, query: str, variables: dict | None = None, authorization: str | None = None, accept: str = "application/json"):
    headers = {"accept": accept} | ({"authorization": authorization} if authorization is not None else {})
    return await api.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


async def expired(api) -> str:
    token = await client_token(api)
    await Credential.filter(token_hash=hash_token(token)).update(expires_at=utcnow() - timedelta(seconds=1))
    return token


async def signed_out(api) -> str:
    token = await client_token(api)
    assert (await api.data("mutation { signOut { ok } }", token=token))["signOut"]["ok"]
    return token


async def of_inactive_staff(api) -> str:
    token = await staff_token(api)
    await StaffUser.filter(email="owner@demo.clinic").update(active=False)
    return token


async def unknown(api) -> str:
    return "x" * 43


INVALID = {"expired": expired, "signed out": signed_out, "staff no longer active": of_inactive_staff, "unknown": unknown}


def assert_unauthenticated(response, token: str | None = None) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    if token:
        assert token not in response.text


@pytest.mark.parametrize("how", list(INVALID))
async def test_an_invalid_bearer_token_is_unauthenticated_not_anonymous(api, how):
    appointment_id = await upcoming_id(api, await client_token(api))
    token = await INVALID[how](api)
    assert_unauthenticated(await send(api, ME, authorization=f"Bearer {token}"), token)
    assert_unauthenticated(await send(api, CANCEL, {"id": appointment_id}, f"Bearer {token}"), token)
    assert_unauthenticated(await send(api, '{ clinic(slug: "demo") { name } }', authorization=f"Bearer {token}"), token)
    assert (await Appointment.get(id=appointment_id)).status is AppointmentStatus.BOOKED


@pytest.mark.parametrize("header", ["Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Token abc", "bearer-abc", "Bearer null"])
async def test_a_garbled_authorization_header_is_unauthenticated(api, header):
    assert_unauthenticated(await send(api, ME, authorization=header))


@pytest.mark.parametrize("header", [None, "", "   "])
async def test_no_credential_leaves_the_caller_anonymous(api, header):
    response = await send(api, ME, authorization=header)
    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


async def test_a_valid_token_in_any_case_of_bearer_signs_in(api):
    token = await client_token(api)
    response = await send(api, ME, authorization=f"bearer {token}")
    assert response.json() == {"data": {"me": {"fullName": "Jamie Client"}}}


async def test_with_the_spec_media_type_an_invalid_token_is_a_401_with_a_bearer_challenge(api):
    token = await signed_out(api)
    response = await send(api, ME, authorization=f"Bearer {token}", accept="application/graphql-response+json")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    body = response.json()
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_revoked_partner_key_is_unauthenticated(api):
    from tests.support.admin import partner_key

    key = await partner_key("demo", ["read", "calendar"])
    assert (await send(api, CALENDAR, authorization=f"Bearer {key}")).json() == {"data": {"calendar": []}}
    await Credential.filter(token_hash=hash_token(key)).update(revoked_at=utcnow())
    assert_unauthenticated(await send(api, CALENDAR, authorization=f"Bearer {key}"), key)


async def test_another_clinics_appointment_answers_exactly_like_a_missing_one(api):
    theirs = await upcoming_id(api, await client_token(api, "northside"))
    mine = await client_token(api)
    answers = [
        (await send(api, CANCEL, {"id": appointment_id}, f"Bearer {mine}")).json()
        for appointment_id in (theirs, str(uuid.uuid4()), "not-an-id")
    ]
    assert answers[0] == answers[1] == answers[2]
    errors = answers[0]["data"]["cancelAppointment"]["userErrors"]
    assert [e["code"] for e in errors] == ["NOT_FOUND"]
    assert (await Appointment.get(id=theirs)).status is AppointmentStatus.BOOKED
