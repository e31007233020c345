"""Documents sent by id: the pages' (GraphQL-over-HTTP `documentId`) and
Apollo's persisted queries; with TRUSTED_DOCUMENTS_ONLY nothing else runs,
and whatever is refused gets a code, never a 500."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from datetime import date, timedelta

import httpx
import pytest
import websockets
from graphql import parse, validate

from portal.operations import page_documents
from schema.documents import document_id
from tests.conftest import FAST_HASH_ENV
from tests.schema.test_limits import aliased, app_client, nested
from tests.support.servers import running_server

SLUG = {"slug": "demo"}


def page_document(name: str):
    return next(d for d in page_documents() if d.name == name)


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.fixture
async def trusted_only(backend, demo):
    async with await app_client(backend, trusted_documents_only=True) as client:
        yield client


def test_every_page_document_is_valid_against_the_schema_and_named_by_the_hash_of_its_text():
    from app import create_app  # noqa: F401  (the schema the app serves)
    from schema import build_schema
    from tests.conftest import TEST_SETTINGS

    schema = build_schema(TEST_SETTINGS)._schema
    names = [(d.script, d.name) for d in page_documents()]
    assert len(names) == len(set(names)) and len(names) >= 10
    for document in page_documents():
        assert validate(schema, parse(document.text)) == [], document.name
        assert document.id == document_id(document.text)
    # A fragment travels with each operation that uses it.
    assert "fragment MyAppointment on Appointment" in page_document("Me").text


async def test_a_page_document_runs_by_its_id_as_its_text_does(api):
    clinic = page_document("BookClinic")
    by_id = await api.http.post("/graphql", json={"documentId": clinic.id, "variables": SLUG})
    by_text = await api.http.post("/graphql", json={"query": clinic.text, "variables": SLUG})
    assert by_id.status_code == 200
    assert by_id.json() == by_text.json()
    assert by_id.json()["data"]["clinic"]["treatments"]
    # Over GET too, as any query may be.
    got = await api.http.get("/graphql", params={"documentId": clinic.id, "variables": json.dumps(SLUG)})
    assert got.json() == by_text.json()


async def test_an_unknown_or_malformed_document_id_is_a_coded_request_error(api):
    unknown = await api.http.post("/graphql", json={"documentId": "sha256:" + "0" * 64})
    assert unknown.status_code == 400 and codes(unknown.json()) == ["PERSISTED_DOCUMENT_NOT_FOUND"]
    refused = await api.http.post("/graphql", json={"documentId": 7})
    assert refused.status_code == 400 and codes(refused.json()) == ["BAD_REQUEST"]
    spec = await api.http.post(
        "/graphql", json={"documentId": "nonsense"}, headers={"accept": "application/graphql-response+json"}
    )
    assert spec.status_code == 400 and "data" not in spec.json()


async def test_apollo_persisted_queries_register_a_text_only_after_it_is_sent_once(api):
    query = '{ clinic(slug: "demo") { name } }'
    sha = hashlib.sha256(query.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    first = await api.http.post("/graphql", json={"extensions": persisted})
    assert codes(first.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    sent = await api.http.post("/graphql", json={"query": query, "extensions": persisted})
    assert sent.json() == {"data": {"clinic": {"name": "Demo Physio"}}} or "errors" not in sent.json()
    again = await api.http.post("/graphql", json={"extensions": persisted})
    assert again.json() == sent.json()
    # The same id as a GraphQL-over-HTTP documentId.
    assert (await api.http.post("/graphql", json={"documentId": f"sha256:{sha}"})).json() == sent.json()
    lying = await api.http.post("/graphql", json={"query": "{ __typename }", "extensions": persisted})
    assert codes(lying.json()) == ["BAD_REQUEST"]


async def test_trusted_only_runs_the_pages_documents_and_refuses_every_other_text(trusted_only):
    clinic = page_document("BookClinic")
    by_id = await trusted_only.post("/graphql", json={"documentId": clinic.id, "variables": SLUG})
    assert by_id.json()["data"]["clinic"]["name"]
    # The exact text of a known document is that document.
    assert "errors" not in (await trusted_only.post("/graphql", json={"query": clinic.text, "variables": SLUG})).json()
    query = '{ clinic(slug: "demo") { name } }'
    sha = hashlib.sha256(query.encode()).hexdigest()
    for body in (
        {"query": query},
        {"query": query, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}},
        {"documentId": f"sha256:{sha}"},
    ):
        refused = await trusted_only.post("/graphql", json=body)
        assert refused.status_code == 400, body
        assert codes(refused.json()) == ["DOCUMENT_NOT_TRUSTED"], body
    got = await trusted_only.get("/graphql", params={"query": query})
    assert codes(got.json()) == ["DOCUMENT_NOT_TRUSTED"]


async def test_cached_validation_still_applies_the_depth_and_alias_limits(api):
    for _ in range(2):  # the second time from the caches
        deep = await api.http.post("/graphql", json={"query": nested(40)})
        assert deep.status_code == 200 and deep.json()["errors"] and deep.json()["data"] is None
        many = await api.http.post("/graphql", json={"query": aliased(100)})
        assert many.json()["errors"] and many.json()["data"] is None
        fine = await api.http.post("/graphql", json={"query": nested(5)})
        assert "errors" not in fine.json()


async def test_a_subscription_runs_by_its_id_and_a_trusted_only_socket_refuses_other_texts(backend, demo):
    watch = page_document("Watch")
    treatment = next(iter(demo.clinics["demo"].treatments.values()))
    day = (date.today() + timedelta(days=7)).isoformat()
    variables = {"slug": "demo", "treatment": str(treatment.id), "from": day, "to": day}
    env = {"DATABASE_URL": backend.url, "TRUSTED_DOCUMENTS_ONLY": "1", **FAST_HASH_ENV}
    async with running_server(env) as server:
        async with websockets.connect(server.url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
            payload = {"documentId": watch.id, "operationName": "Watch", "variables": variables}
            await ws.send(json.dumps({"id": "w", "type": "subscribe", "payload": payload}))
            await ws.send(json.dumps({"id": "t", "type": "subscribe", "payload": {"query": watch.text + " ", "variables": variables}}))
            refused = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert refused["id"] == "t" and refused["type"] == "error"
            assert [e["extensions"]["code"] for e in refused["payload"]] == ["DOCUMENT_NOT_TRUSTED"]
            # The watch by id is running: its id is taken (graphql-transport-ws closes 4409).
            await ws.send(json.dumps({"id": "w", "type": "subscribe", "payload": payload}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd.code == 4409
        async with httpx.AsyncClient(base_url=server.url) as http:
            module = await http.get("/assets/graphql/slot_watch.js")
            assert module.status_code == 200 and watch.id in module.text
            assert module.headers["content-type"].startswith("text/javascript")
            assert (await http.get("/assets/graphql/nothing.js")).status_code == 404


def test_the_page_scripts_send_documents_by_id_and_import_only_ids_the_server_makes():
    from portal.pages import STATIC

    made = {(d.script, d.name) for d in page_documents()}
    imports = re.compile(r'import\s*\{([^}]*)\}\s*from\s*"\./graphql/([\w-]+)\.js"|export\s*\{([^}]*)\}\s*from\s*"\./graphql/([\w-]+)\.js"')
    for script in STATIC.glob("*.js"):
        source = script.read_text()
        if script.name != "graphiql.js":  # GraphiQL sends what its user types
            assert not re.search(r"[`\"'](query|mutation|subscription)\s*(\w+\s*)?[({]", source), script.name
        for match in imports.finditer(source):
            names, module = (match[1], match[2]) if match[1] is not None else (match[3], match[4])
            for name in (part.split(" as ")[0].strip() for part in names.split(",") if part.strip()):
                assert (module, name) in made, f"{script.name} imports {name} from graphql/{module}.js"


def test_the_texts_apollo_clients_register_are_bounded_in_number_and_in_characters():
    from schema.documents import Documents

    def register(documents: Documents, text: str) -> None:
        sha = hashlib.sha256(text.encode()).hexdigest()
        documents.text({"query": text, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}})

    few = Documents({}, registered_max=2)
    for i in range(3):
        register(few, f"{{ a{i}: __typename }}")
    assert len(few.registered) == 2 and f"sha256:{hashlib.sha256(b'{ a0: __typename }').hexdigest()}" not in few.registered
    light = Documents({}, registered_max_chars=100)
    for i in range(5):
        register(light, "{ __typename }" + " " * 40 + f"# {i}")
    assert light.registered_chars <= 100 and len(light.registered) == 1
    assert Documents({}, trusted_only=True).registered == {}
