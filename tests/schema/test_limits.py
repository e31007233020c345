"""Garbage gets a clear error, never a 500: malformed bodies, huge, deep or
alias-heavy documents, oversized bodies, mutations over GET. And the
production settings hide what development shows."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest
from graphql import get_introspection_query

from app import create_app
from resolvers.account import personal
from tests.conftest import TEST_SETTINGS, client_token, staff_token

ME = "{ me { fullName } }"


def error_messages(body: dict) -> list[str]:
    return [e["message"] for e in body.get("errors", [])]


async def app_client(backend, **settings):
    """An in-process client for an app built with these settings, like the
    `api` fixture's."""
    app = create_app(replace(TEST_SETTINGS, database_url=backend.url, **settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def production(backend, demo):
    async with await app_client(backend, environment="production") as client:
        yield client


def nested(depth: int) -> str:
    """`clinic { treatments { practitioners { treatments { ... { name } } } } }`
    with `depth` levels of fields in all."""
    inner = "name"
    for level in range(depth - 2, 0, -1):
        inner = f"{'treatments' if level % 2 else 'practitioners'} {{ {inner} }}"
    return f'{{ clinic(slug: "demo") {{ {inner} }} }}'


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


# Malformed and oversized requests


async def test_a_malformed_json_body_is_a_400_not_a_500(api):
    response = await api.http.post(
        "/graphql", content=b'{"query": "{ __typename }",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "JSON" in response.text


async def test_a_body_that_is_json_but_not_an_object_is_a_400_not_a_500(api):
    response = await api.http.post("/graphql", content=b"[1, 2, 3]", headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500


async def test_a_document_that_is_not_graphql_is_a_clear_error(api):
    response = await api.http.post("/graphql", json={"query": "this is not { graphql"})
    assert response.status_code in (200, 400)
    assert "Syntax Error" in error_messages(response.json())[0]


async def test_a_query_of_ten_thousand_tokens_is_refused_for_its_tokens(api):
    query = "{ " + "__typename " * 10_000 + "}"
    response = await api.http.post("/graphql", json={"query": query})
    assert response.status_code in (200, 400)
    body = response.json()
    assert body.get("data") is None
    assert any("tokens" in m for m in error_messages(body)), body


async def test_a_query_forty_levels_deep_is_refused_for_its_depth(api):
    response = await api.http.post("/graphql", json={"query": nested(40)})
    assert response.status_code in (200, 400)
    body = response.json()
    assert body.get("data") is None
    assert any("depth" in m for m in error_messages(body)), body


async def test_a_query_within_the_depth_limit_runs(api):
    data = await api.data(nested(TEST_SETTINGS.max_query_depth))
    assert data["clinic"]["treatments"]


async def test_a_thousand_aliases_are_refused_before_anything_runs(api):
    """1,000 aliases take at least 3,000 tokens, so the token limit (2,000)
    refuses them first; either way nothing runs."""
    response = await api.http.post("/graphql", json={"query": aliased(1000)})
    assert response.status_code in (200, 400)
    body = response.json()
    assert body.get("data") is None
    assert any("aliases" in m or "tokens" in m for m in error_messages(body)), body


async def test_a_hundred_aliases_are_refused_for_their_aliases(api):
    response = await api.http.post("/graphql", json={"query": aliased(100)})
    assert response.status_code in (200, 400)
    body = response.json()
    assert body.get("data") is None
    assert any("aliases" in m for m in error_messages(body)), body


async def test_with_the_token_limit_raised_a_thousand_aliases_are_refused_for_their_aliases(backend, demo):
    async with await app_client(backend, max_tokens=20_000) as client:
        response = await client.post("/graphql", json={"query": aliased(1000)})
    assert response.status_code in (200, 400)
    body = response.json()
    assert body.get("data") is None
    assert any("aliases" in m for m in error_messages(body)), body


async def test_a_body_over_256_kib_is_a_413(api):
    query = "{ __typename }" + " " * (256 * 1024)
    response = await api.http.post("/graphql", json={"query": query})
    assert response.status_code == 413


async def test_a_streamed_body_over_256_kib_without_a_length_is_a_413_not_a_500(backend, demo):
    """Chunked uploads declare no Content-Length; the limit must still
    answer 413 rather than fail inside the app."""
    chunk = b" " * 16 * 1024

    async def body():
        yield b'{"query": "{ __typename }'
        for _ in range(20):  # 320 KiB
            yield chunk
        yield b'"}'

    app = create_app(replace(TEST_SETTINGS, database_url=backend.url))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/graphql", content=body(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_a_body_just_under_the_limit_is_served(api):
    query = "{ __typename }" + " " * (200 * 1024)
    response = await api.http.post("/graphql", json={"query": query})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def multipart(api, size: int) -> httpx.Response:
    """A multipart request of a little more than `size` bytes, as a logo
    upload is sent."""
    operations = json.dumps({"query": "{ __typename }"})
    files = {"0": ("logo.png", b"\0" * size, "image/png")}
    headers = {"authorization": f"Bearer {await staff_token(api)}"}
    return await api.http.post("/graphql", data={"operations": operations, "map": "{}"}, files=files, headers=headers)


async def test_a_multipart_upload_may_be_larger_than_other_bodies(api):
    response = await multipart(api, 300 * 1024)  # over 256 KiB, within the logo limit
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_multipart_upload_over_the_logo_limit_is_a_413(api):
    response = await multipart(api, TEST_SETTINGS.logo_max_bytes + 64 * 1024)
    assert response.status_code == 413


LONG = "a-slug-much-too-long-" * 10_000  # 210 KB; a slug has at most 64 characters


async def test_an_over_long_clinic_slug_is_an_unknown_clinic_and_is_not_echoed(api, demo):
    treatment = str(demo["demo"].treatments["Facial"].id)
    clinic = await api.post("query($s: String!) { clinic(slug: $s) { id } }", {"s": LONG})
    assert clinic == {"data": {"clinic": None}}
    slots = await api.http.post("/graphql", json={"query": (
        "query($s: String!, $t: ID!) { availableSlots(clinicSlug: $s, treatmentId: $t,"
        ' from: "2030-01-07", to: "2030-01-08") { start } }'), "variables": {"s": LONG, "t": treatment}})
    assert [e["extensions"]["code"] for e in slots.json()["errors"]] == ["NOT_FOUND"]
    assert len(slots.content) < 1000


async def _named(api, query: str, variables: dict, slug: str) -> dict:
    response = await api.http.post("/graphql", json={"query": query, "variables": {**variables, "s": slug}})
    assert response.status_code == 200 and len(response.content) < 1000, response.text[:1000]
    return response.json()


@pytest.mark.parametrize(
    "mutation",
    [
        'signIn(clinicSlug: $s, email: "client@demo.clinic", password: "demo-client-pass")',
        'requestPasswordReset(clinicSlug: $s, email: "client@demo.clinic")',
        'requestSignInCode(clinicSlug: $s, phone: "+447700900001", acceptedTerms: true)',
    ],
)
async def test_mutations_naming_an_over_long_clinic_slug_answer_not_found_in_their_user_errors(api, mutation):
    query = f"mutation($s: String!) {{ result: {mutation} {{ userErrors {{ code field }} }} }}"
    answer = await _named(api, query, {}, LONG)
    assert answer == await _named(api, query, {}, "no-such-clinic")
    assert answer["data"]["result"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_a_booking_naming_an_over_long_clinic_slug_answers_not_found(api, demo):
    query = "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { userErrors { code field } } }"
    booking = {"treatmentId": str(demo["demo"].treatments["Facial"].id), "start": "2030-01-07T10:00:00+00:00",
               "client": {"fullName": "Pat", "email": "pat@example.com", "phone": "+447700900123"}}  # fmt: skip
    answers = [
        (await api.http.post("/graphql", json={"query": query, "variables": {"i": {**booking, "clinicSlug": slug}}})).json()
        for slug in (LONG, "no-such-clinic")
    ]
    assert answers[0] == answers[1]
    assert answers[0]["data"]["bookAppointment"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_an_over_long_gift_card_code_is_an_unknown_card(api):
    owner = await staff_token(api)
    response = await api.http.post(
        "/graphql",
        json={"query": 'mutation($c: String!) { redeemGiftCard(code: $c, amount: "1.00") { userErrors { code field } } }', "variables": {"c": LONG}},
        headers={"authorization": f"Bearer {owner}"},
    )
    assert response.json() == {"data": {"redeemGiftCard": {"userErrors": [{"code": "NOT_FOUND", "field": ["code"]}]}}}


async def test_dates_at_the_ends_of_the_calendar_are_invalid_input_not_unexpected_errors(api, demo):
    """Year 9999 (or year 1 with a positive offset) overflows Python's
    datetime once a duration or offset is added; that is the caller's
    garbage and deserves INVALID_INPUT, not an unexpected error."""
    treatment = str(demo["demo"].treatments["Facial"].id)
    slots = await api.post(
        "query($t: ID!) { availableSlots(clinicSlug: \"demo\", treatmentId: $t,"
        ' from: "9999-12-30", to: "9999-12-31") { start } }',
        {"t": treatment},
    )
    assert [e.get("extensions", {}).get("code") for e in slots["errors"]] == ["INVALID_INPUT"], slots
    token = await staff_token(api)
    calendar = await api.post(
        "{ calendar(from: \"0001-01-01T00:00:00+05:00\", to: \"0001-01-02T00:00:00+05:00\") { id } }", token=token
    )
    assert [e.get("extensions", {}).get("code") for e in calendar["errors"]] == ["INVALID_INPUT"], calendar
    booked = await api.post(
        "mutation($t: ID!, $c: ID!) { bookAppointment(input: {clinicSlug: \"demo\", treatmentId: $t,"
        ' start: "9999-12-31T23:30:00+00:00", clientId: $c}) { appointment { id } userErrors { code } } }',
        {"t": treatment, "c": str(demo["demo"].client.id)},
        token=token,
    )
    assert "errors" not in booked, booked
    assert [e["code"] for e in booked["data"]["bookAppointment"]["userErrors"]] == ["INVALID_INPUT"]


# Transport rules


async def test_a_mutation_over_get_is_refused_and_not_run(api):
    token = await client_token(api)
    response = await api.http.get(
        "/graphql",
        params={"query": "mutation { signOut { ok } }"},
        headers={"authorization": f"Bearer {token}", "accept": "application/json"},
    )
    assert response.status_code in (400, 405)
    assert (await api.data(ME, token=token))["me"]["fullName"] == "Jamie Client"


async def test_a_query_over_get_is_answered(api):
    response = await api.http.get(
        "/graphql", params={"query": '{ clinic(slug: "demo") { slug } }'}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"clinic": {"slug": "demo"}}}


async def test_the_standard_introspection_query_passes_the_limits(api):
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    data = await api.data(query)
    names = {t["name"] for t in data["__schema"]["types"]}
    assert {"Query", "Mutation", "Subscription", "Appointment", "UserError", "ErrorCode"} <= names


async def test_graphiql_is_served_in_development(api):
    response = await api.http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_health_answers_200(api):
    response = await api.http.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "liveSubscribers": 0}


# Production settings


async def test_in_production_a_misspelt_field_gets_no_suggestion(api, production):
    query = '{ clinc(slug: "demo") { id } }'
    development = (await api.http.post("/graphql", json={"query": query})).json()
    assert "Did you mean" in error_messages(development)[0]  # the control
    response = await production.post("/graphql", json={"query": query})
    assert response.status_code in (200, 400)
    messages = error_messages(response.json())
    assert messages and "clinc" in messages[0]
    assert not any("Did you mean" in m for m in messages)


async def test_in_production_graphiql_is_not_served(production):
    response = await production.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()
    assert (await production.get("/vendor/graphiql.min.js")).status_code == 404  # nor its files
    assert (await production.get("/vendor/event-calendar.min.js")).status_code == 200  # the calendar needs its own


async def test_in_production_an_unexpected_exception_is_masked(api, production, monkeypatch):
    async def broken(principal):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(personal, "me", broken)
    development = await api.post(ME)
    assert "secret internals" in error_messages(development)[0]  # the control
    response = await production.post("/graphql", json={"query": ME})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"me": None}
    assert error_messages(body) == ["Unexpected error."]
    assert "hunter2" not in response.text and "RuntimeError" not in response.text


async def test_in_production_expected_errors_keep_their_code_and_message(production, demo):
    query = (
        "query($t: ID!) { availableSlots(clinicSlug: \"no-such-clinic\", treatmentId: $t,"
        ' from: "2030-01-07", to: "2030-01-08") { start } }'
    )
    response = await production.post(
        "/graphql", json={"query": query, "variables": {"t": str(demo["demo"].treatments["Facial"].id)}}
    )
    error = response.json()["errors"][0]
    assert error["message"] == "Clinic not found."
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_in_production_the_limits_still_say_what_was_wrong(production):
    response = await production.post("/graphql", json={"query": nested(40)})
    assert any("depth" in m for m in error_messages(response.json()))
    response = await production.post("/graphql", json={"query": aliased(100)})
    assert any("aliases" in m for m in error_messages(response.json()))


async def test_in_production_a_malformed_body_is_still_a_400(production):
    response = await production.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
