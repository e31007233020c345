"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/ and
the SHOULDs of the graphql-http audit suite), over real HTTP requests:
`application/graphql-response+json` with the spec's status codes, and
`application/json` (also for `*/*` or no Accept header) as legacy clients
expect it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import client_token
from web.graphql_http import response_media_type

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
TYPENAME = {"query": "{ __typename }"}
NOT_PARSING = {"query": "{"}
NOT_VALIDATING = {"query": "{ fieldThatDoesNotExist }"}
NOT_COERCING = {"query": "query Coerce($id: ID!) { __typename }", "variables": {"id": None}}


async def post(api, body, accept: str | None = GRAPHQL_RESPONSE, **headers):
    if accept is not None:
        headers["accept"] = accept
    return await api.http.post("/graphql", json=body, headers=headers)


def media_type(response) -> str:
    return response.headers["content-type"].split(";")[0]


def codes(response) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in response.json()["errors"]]


# Which media type answers


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (JSON, JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (None, JSON),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE}", JSON),
        (f"{JSON};q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"text/html, {GRAPHQL_RESPONSE};q=0.8, */*;q=0.1", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0, */*", JSON),
        ("text/html,application/xhtml+xml,*/*;q=0.8", JSON),
    ],
)
async def test_the_response_is_in_the_media_type_the_accept_header_prefers(api, accept, expected):
    response = await post(api, TYPENAME, accept)
    assert response.status_code == 200
    assert media_type(response) == expected
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("accept", ["text/html", "text/plain, image/png", f"{JSON};q=0"])
async def test_an_accept_header_that_allows_no_json_is_a_406(api, accept):
    response = await post(api, TYPENAME, accept)
    assert response.status_code == 406
    assert codes(response) == ["BAD_REQUEST"]


def test_an_unparsable_weight_counts_as_not_acceptable():
    assert response_media_type(f"{GRAPHQL_RESPONSE};q=high, {JSON};q=0.1") == JSON


async def test_the_spec_media_type_says_its_encoding(api):
    response = await post(api, {"query": '{ __type(name: "Run🏃Swim🏊") { name } }'})
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert response.json() == {"data": {"__type": None}}


# Status codes of GraphQL results


@pytest.mark.parametrize("body", [NOT_PARSING, NOT_VALIDATING, NOT_COERCING], ids=["parse", "validate", "coerce"])
async def test_a_request_error_is_a_400_without_data_in_the_spec_media_type(api, body):
    response = await post(api, body)
    assert response.status_code == 400
    assert media_type(response) == GRAPHQL_RESPONSE
    assert "data" not in response.json() and response.json()["errors"]


@pytest.mark.parametrize("body", [NOT_PARSING, NOT_VALIDATING, NOT_COERCING], ids=["parse", "validate", "coerce"])
async def test_a_request_error_is_a_200_for_a_legacy_client_as_before(api, body):
    for accept in (JSON, None):
        response = await post(api, body, accept)
        assert response.status_code == 200
        assert media_type(response) == JSON
        assert response.json()["data"] is None and response.json()["errors"]


async def test_a_document_over_the_limits_is_a_request_error(api):
    deep = "name"
    for level in range(40):
        deep = f"{'treatments' if level % 2 else 'practitioners'} {{ {deep} }}"
    deep = f'{{ clinic(slug: "demo") {{ {deep} }} }}'
    response = await post(api, {"query": deep})
    assert response.status_code == 400
    assert "data" not in response.json()
    assert any("depth" in e["message"] for e in response.json()["errors"])


async def test_an_error_while_executing_keeps_the_data_entry_and_a_200(api, demo):
    query = 'query($t: ID!) { availableSlots(clinicSlug: "no-such-clinic", treatmentId: $t, from: "2030-01-07", to: "2030-01-08") { start } }'
    response = await post(api, {"query": query, "variables": {"t": str(demo["demo"].treatments["Facial"].id)}})
    assert response.status_code == 200
    assert media_type(response) == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" in body and body["data"] is None
    assert codes(response) == ["NOT_FOUND"]


async def test_a_partial_result_is_a_200(api):
    response = await post(api, {"query": '{ __typename clinic(slug: "no-such-clinic") { id } }'})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query", "clinic": None}}


@pytest.mark.parametrize("parameter", ["variables", "operationName", "extensions"])
async def test_null_optional_parameters_are_allowed(api, parameter):
    for accept in (GRAPHQL_RESPONSE, JSON):
        response = await post(api, {**TYPENAME, parameter: None}, accept)
        assert response.status_code == 200
        assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_named_operation_variables_and_extensions_are_taken(api):
    body = {
        "query": "query Type($name: String!) { __type(name: $name) { name } }",
        "operationName": "Type",
        "variables": {"name": "Clinic"},
        "extensions": {"some": "value"},
    }
    for accept in (GRAPHQL_RESPONSE, JSON):
        response = await post(api, body, accept)
        assert response.status_code == 200
        assert response.json() == {"data": {"__type": {"name": "Clinic"}}}


# GET


async def test_a_query_over_get_with_url_encoded_parameters_is_answered(api):
    params = {"query": "query Type($name: String!) { __type(name: $name) { name } }", "variables": json.dumps({"name": "Clinic"})}
    for accept in (GRAPHQL_RESPONSE, JSON):
        response = await api.http.get("/graphql", params=params, headers={"accept": accept})
        assert response.status_code == 200
        assert media_type(response) == accept
        assert response.json() == {"data": {"__type": {"name": "Clinic"}}}


async def test_a_request_error_over_get_is_a_400_in_the_spec_media_type(api):
    response = await api.http.get("/graphql", params={"query": "{"}, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400
    assert "data" not in response.json()


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_a_mutation_over_get_is_a_405_that_allows_post_and_does_not_run(api, accept):
    query = 'mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "demo-client-pass") { session { token } } }'
    response = await api.http.get("/graphql", params={"query": query}, headers={"accept": accept})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response) == ["BAD_REQUEST"]
    assert "session" not in response.text


async def test_a_subscription_over_http_is_a_request_error_that_points_at_the_websocket(api):
    query = "subscription { myAppointmentUpdates { kind } }"
    token = await client_token(api)
    for method, where in (("GET", {"params": {"query": query}}), ("POST", {"json": {"query": query}})):
        headers = {"accept": GRAPHQL_RESPONSE, "authorization": f"Bearer {token}"}
        response = await api.http.request(method, "/graphql", headers=headers, **where)
        assert response.status_code == 400
        assert "data" not in response.json()
        assert codes(response) == ["BAD_REQUEST"]
        assert "websocket" in response.json()["errors"][0]["message"]
        legacy = await api.http.request(method, "/graphql", headers={**headers, "accept": JSON}, **where)
        assert legacy.status_code == 200 and legacy.json()["data"] is None and codes(legacy) == ["BAD_REQUEST"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD"])
async def test_a_method_other_than_get_and_post_is_a_405(api, method):
    response = await api.http.request(method, "/graphql", json=TYPENAME, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "POST"}


# POST bodies


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/graphql"])
async def test_a_post_without_a_supported_content_type_is_a_415(api, content_type):
    headers = {"accept": GRAPHQL_RESPONSE} | ({"content-type": content_type} if content_type else {})
    response = await api.http.post("/graphql", content=json.dumps(TYPENAME).encode(), headers=headers)
    assert response.status_code == 415
    assert media_type(response) == JSON
    assert codes(response) == ["BAD_REQUEST"]


async def test_a_utf_8_json_body_with_a_charset_is_taken(api):
    headers = {"content-type": "application/json; charset=utf-8", "accept": GRAPHQL_RESPONSE}
    response = await api.http.post("/graphql", content=json.dumps(TYPENAME).encode(), headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
@pytest.mark.parametrize("body", [b'{ "not a JSON', b"", b"NONSENSE"], ids=["cut", "empty", "nonsense"])
async def test_a_body_that_is_not_json_is_a_400(api, body, accept):
    response = await api.http.post("/graphql", content=body, headers={"content-type": JSON, "accept": accept})
    assert response.status_code == 400
    assert media_type(response) == JSON
    assert codes(response) == ["BAD_REQUEST"]
    assert "JSON" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("body", [b'"{ __typename }"', b"42", b"true", b"null", b'  "padded"  '])
async def test_a_json_body_that_is_not_an_object_is_a_400_not_a_500(api, body):
    for accept in (GRAPHQL_RESPONSE, JSON):
        response = await api.http.post("/graphql", content=body, headers={"content-type": JSON, "accept": accept})
        assert response.status_code == 400
        assert codes(response) == ["BAD_REQUEST"]
        assert "JSON object" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"qeury": "{ __typename }"},
        {"query": {"obj": "ect"}},
        {"query": 0},
        {"query": False},
        {"query": ["array"]},
        {**TYPENAME, "variables": "string"},
        {**TYPENAME, "variables": ["array"]},
        {**TYPENAME, "extensions": 0},
        {**TYPENAME, "operationName": 0},
        {**TYPENAME, "operationName": {"obj": "ect"}},
        {**TYPENAME, "operationName": ["array"]},
    ],
)
async def test_invalid_parameters_are_a_400(api, body):
    response = await post(api, body, JSON)
    assert response.status_code == 400
    assert codes(response) == ["BAD_REQUEST"]


async def test_a_batch_is_refused_as_a_400(api):
    response = await post(api, [TYPENAME, TYPENAME])
    assert response.status_code == 400
    assert codes(response) == ["BAD_REQUEST"]


async def test_a_subscription_validated_once_over_the_websocket_is_still_refused_over_http(runtime):
    """Validated documents are kept (schema/validated.py); a kept one must
    not skip the refusal of a subscription sent over HTTP."""
    from starlette.requests import Request

    from schema import build_schema
    from schema.context import Context

    schema = build_schema(runtime.settings)
    query = "subscription { myAppointmentUpdates { kind } }"
    await schema.execute(query, context_value=Context(request=None, runtime=runtime))  # not HTTP: validated and kept
    over_http = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": [], "query_string": b""})
    for _ in range(2):
        result = await schema.execute(query, context_value=Context(request=over_http, runtime=runtime))
        assert [e.extensions["code"] for e in result.errors] == ["BAD_REQUEST"], result.errors
