"""Logs that help: an expected error is one INFO line with the operation's
name and its code, never a traceback; an unexpected one keeps its
traceback; every line carries the request id, which the response names in
`X-Request-Id`; LOG_FORMAT=json writes one JSON object a line."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import uuid

import httpx
import pytest
import websockets

from resolvers.account import personal
from settings import Settings
from telemetry.logs import RequestIdFilter
from tests.conftest import FAST_HASH_ENV
from tests.support.booking import BOOK, book_input
from tests.support.servers import ROOT, running_server

SLOTS = (
    "query Slots($c: String!, $t: ID!) {"
    ' availableSlots(clinicSlug: $c, treatmentId: $t, from: "2030-01-07", to: "2030-01-08") { start } }'
)
NAMED_BOOK = BOOK.replace("mutation(", "mutation Book(", 1)


def formatted_lines(records: list[logging.LogRecord]) -> list[str]:
    """The records as a text handler writes them, tracebacks included."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return [line for record in records for line in formatter.format(record).splitlines()]


def ours(caplog) -> list[logging.LogRecord]:
    """What the GraphQL endpoint logged (and strawberry on its behalf): not
    what background tasks of other tests may log meanwhile."""
    return [r for r in caplog.records if r.name.startswith(("clinicportal.graphql", "strawberry"))]


async def test_an_expected_error_is_one_info_line_with_the_operation_and_its_code(api, demo, caplog):
    caplog.set_level(logging.DEBUG)
    body = await api.post(SLOTS, {"c": "demo", "t": str(uuid.uuid4())})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    records = ours(caplog)
    assert formatted_lines(records) == ["INFO clinicportal.graphql Slots: NOT_FOUND at availableSlots"]
    assert records[0].exc_info is None
    assert (records[0].operation, records[0].code) == ("Slots", "NOT_FOUND")


async def test_a_payloads_user_error_is_one_info_line_too(api, demo, caplog):
    caplog.set_level(logging.DEBUG)
    client = {"fullName": "Ann", "email": "ann@example.com", "phone": "+447700900555"}
    booking = book_input(demo, treatmentId=str(uuid.uuid4()), client=client)
    body = await api.data(NAMED_BOOK, {"input": booking})
    assert [e["code"] for e in body["bookAppointment"]["userErrors"]] == ["NOT_FOUND"]
    lines = formatted_lines(ours(caplog))
    assert lines == ["INFO clinicportal.graphql Book: NOT_FOUND (userErrors) at input.treatmentId"]


async def test_a_document_that_does_not_validate_is_one_info_line(api, demo, caplog):
    caplog.set_level(logging.DEBUG)
    response = await api.http.post("/graphql", json={"query": "query Nope { clinic(slug: \"demo\") { nope } }"})
    assert "errors" in response.json()
    assert formatted_lines(ours(caplog)) == ["INFO clinicportal.graphql Nope: GRAPHQL_VALIDATION_FAILED at -"]


async def test_an_unexpected_error_keeps_its_traceback(api, demo, caplog, monkeypatch):
    async def broken(principal):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(personal, "me", broken)
    caplog.set_level(logging.DEBUG)
    await api.post("query Me { me { fullName } }")
    errors = [r for r in ours(caplog) if r.levelno >= logging.WARNING]
    assert len(errors) == 1  # once, not once by strawberry and once by us
    assert errors[0].levelno == logging.ERROR and errors[0].getMessage() == "Me: unexpected error at me"
    assert errors[0].exc_info and isinstance(errors[0].exc_info[1], RuntimeError)
    text = "\n".join(formatted_lines(errors))
    assert "Traceback (most recent call last)" in text and "the database fell over" in text


async def test_every_line_carries_the_request_id_the_response_names(api, demo, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    query = {"query": SLOTS, "variables": {"c": "demo", "t": str(uuid.uuid4())}}
    response = await api.http.post("/graphql", json=query, headers={"X-Request-Id": "partner-7f3a:42"})
    assert response.headers["x-request-id"] == "partner-7f3a:42"
    records = ours(caplog)
    assert records and {r.request_id for r in records} == {"partner-7f3a:42"}
    # Without one, or with one that could forge a log line, a new id.
    asked = ({}, {"X-Request-Id": "a b\nERROR forged"})
    fresh = [(await api.http.get("/health", headers=h)).headers["x-request-id"] for h in asked]
    assert all(re.fullmatch(r"[0-9a-f]{32}", ident) for ident in fresh) and fresh[0] != fresh[1]


def test_log_format_is_text_or_json():
    assert Settings.from_env({}).log_format == "text"
    assert Settings.from_env({"LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        Settings.from_env({"LOG_FORMAT": "xml"})


async def test_a_server_with_log_format_json_writes_one_json_object_a_line(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}", "LOG_FORMAT": "json", **FAST_HASH_ENV}
    migrate = [sys.executable, "-m", "cli", "migrate"]
    migrated = subprocess.run(migrate, cwd=ROOT, env={**os.environ, **env}, capture_output=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    async with running_server(env) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            query = {"query": SLOTS, "variables": {"c": "no-such-clinic", "t": str(uuid.uuid4())}}
            response = await client.post("/graphql", json=query, headers={"X-Request-Id": "json-check-1"})
            assert response.headers["x-request-id"] == "json-check-1"
        socket_url = server.url.replace("http", "ws") + "/graphql"
        headers = {"X-Request-Id": "socket-check-1"}
        async with websockets.connect(socket_url, subprotocols=["graphql-transport-ws"], additional_headers=headers) as ws:
            assert ws.response.headers["x-request-id"] == "socket-check-1"
        text = server.log_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is one object
    assert lines and all({"time", "level", "logger", "message", "request_id"} <= line.keys() for line in lines)
    expected = [line for line in lines if line.get("code") == "NOT_FOUND"]
    assert [(e["level"], e["operation"], e["request_id"]) for e in expected] == [("INFO", "Slots", "json-check-1")]
    assert "exc_info" not in expected[0]
    access = [line for line in lines if line["logger"] == "uvicorn.access" and "POST /graphql" in line["message"]]
    assert [a["request_id"] for a in access] == ["json-check-1"]
    assert any(line["logger"] == "uvicorn.error" and line["request_id"] == "-" for line in lines)  # start-up: no request
