"""The library internals the project touches are all in
schema/live_internals.py, and each is still there, with the shape and the
behaviour that module relies on, in the installed library; the installed
libraries are within the ranges pyproject.toml pins. A failure names the
internal and the installed version of its library."""

from __future__ import annotations

import ast
import inspect
import tomllib
from collections.abc import AsyncGenerator
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

import pytest
import strawberry
from graphql import Executor, build_schema, parse
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)

from schema import live_internals

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("app.py", "cli.py", "settings.py", "web", "schema", "resolvers", "realtime", "jobs", "models", "portal", "telemetry", "bench")
LIBRARIES = {"strawberry", "graphql", "broadcaster", "starlette"}


def _pins() -> dict[str, Requirement]:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return {canonicalize_name(r.name): r for r in map(Requirement, dependencies)}


def _where(distribution: str, internal: str) -> str:
    checked = live_internals.CHECKED_AGAINST[distribution]
    return f"{distribution} {version(distribution)}, {internal} (schema/live_internals.py, checked against {checked})"


# Versions


@pytest.mark.parametrize("distribution", ["strawberry-graphql", "graphql-core", "starlette", "broadcaster"])
def test_the_installed_version_is_within_the_range_pyproject_pins(distribution):
    pin = _pins().get(distribution)
    assert pin is not None, f"pyproject.toml pins no range for {distribution}"
    installed = version(distribution)
    assert pin.specifier.contains(installed, prereleases=True), (
        f"{distribution} {installed} is installed; pyproject.toml pins {pin.specifier}"
    )


def test_every_library_with_an_internal_in_use_is_pinned_and_was_checked_within_its_pin():
    pins = _pins()
    for distribution in live_internals.INTERNALS:
        assert distribution in pins, f"{distribution}: its internals are used but pyproject.toml pins no range"
        checked = live_internals.CHECKED_AGAINST[distribution]
        assert pins[distribution].specifier.contains(checked, prereleases=True), (
            f"{distribution}: internals checked against {checked}, outside the pin {pins[distribution].specifier}"
        )


# Only schema/live_internals.py touches internals


def _project_sources() -> list[Path]:
    paths = []
    for name in SOURCES:
        path = ROOT / name
        paths.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [p for p in paths if p.name != "live_internals.py" and "migrations" not in p.parts]


def test_no_other_module_imports_a_private_module_or_name_of_a_library():
    found = []
    for path in _project_sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                parts = node.module.split(".")
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                parts, names = [], []
                for alias in node.names:
                    if alias.name.split(".")[0] in LIBRARIES and any(p.startswith("_") for p in alias.name.split(".")):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name}")
                continue
            else:
                continue
            if parts[0] not in LIBRARIES:
                continue
            private = [p for p in parts if p.startswith("_")] + [n for n in names if n.startswith("_")]
            if private:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {', '.join(private)} from {node.module}")
    assert found == [], "library internals belong in schema/live_internals.py:\n" + "\n".join(found)


def test_no_other_module_names_an_internal_that_schema_live_internals_touches():
    internals = {name.rsplit(".", 1)[1] for names in live_internals.INTERNALS.values() for name in names}
    found = []
    for path in _project_sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = node.name
            else:
                continue
            if name in internals:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert found == [], "library internals belong in schema/live_internals.py:\n" + "\n".join(found)


# graphql-core: Executor._relevant_sub_fields

SDL = "type Query { dummy: String } type Thing { a: Int } type Subscription { things: [Thing] }"
EVENT = {"things": [{"a": 1}, {"a": 2}]}


def _subscription_executor() -> Executor:
    executor = Executor.build(build_schema(SDL), parse("subscription { things { a } }"))
    assert isinstance(executor, Executor), executor
    return executor


def test_graphql_core_executors_keep_their_sub_field_memo_in_relevant_sub_fields():
    where = _where("graphql-core", "Executor._relevant_sub_fields")
    executor = _subscription_executor()
    assert isinstance(getattr(executor, "_relevant_sub_fields", None), dict), f"{where}: no such dict on an executor"
    parameters = list(inspect.signature(Executor.collect_subfields).parameters)
    assert parameters == ["self", "return_type", "field_details_list"], f"{where}: collect_subfields{parameters}"
    parameters = list(inspect.signature(Executor.build_per_event_executor).parameters)
    assert parameters == ["self", "payload"], f"{where}: build_per_event_executor{parameters}"
    event = executor.build_per_event_executor(EVENT)
    assert event._relevant_sub_fields is executor._relevant_sub_fields, (
        f"{where}: an event's executor no longer shares the subscription's memo (give_own_sub_field_memo may go)"
    )
    assert event.execute_operation(False).data == EVENT
    assert executor._relevant_sub_fields, f"{where}: collect_subfields no longer fills it"


def test_with_its_own_memo_an_events_executor_leaves_the_subscriptions_alone():
    where = _where("graphql-core", "Executor._relevant_sub_fields")
    executor = _subscription_executor()
    for _ in range(3):
        event = executor.build_per_event_executor(EVENT)
        live_internals.give_own_sub_field_memo(event)
        assert event.execute_operation(False).data == EVENT
        assert getattr(event, "_relevant_sub_fields", None), f"{where}: not what collect_subfields fills"
    assert getattr(executor, "_relevant_sub_fields", None) == {}, f"{where}: the subscription's memo grew"


# strawberry: BaseGraphQLTransportWSHandler._send_result_stream


def test_strawberry_sends_an_operations_results_with_send_result_stream():
    where = _where("strawberry-graphql", "BaseGraphQLTransportWSHandler._send_result_stream")
    method = getattr(BaseGraphQLTransportWSHandler, "_send_result_stream", None)
    assert method is not None, f"{where}: gone"
    assert inspect.iscoroutinefunction(method), f"{where}: no longer a coroutine function"
    parameters = list(inspect.signature(method).parameters)
    assert parameters == ["self", "operation", "result_source"], f"{where}: now takes {parameters}"


@strawberry.type
class _Query:
    ok: bool = True


@strawberry.type
class _Subscription:
    @strawberry.subscription
    async def ticks(self) -> AsyncGenerator[int, None]:
        yield 1
        yield 2


class _Socket:
    """Stands in for the websocket adapter: what strawberry sends."""

    def __init__(self, sent: list) -> None:
        self.sent = sent

    async def send_json(self, message) -> None:
        self.sent.append(message["type"])


async def test_after_result_stream_runs_once_the_results_are_sent_and_before_complete():
    where = _where("strawberry-graphql", "BaseGraphQLTransportWSHandler._send_result_stream")
    sent: list = []

    class Handler(live_internals.ResultStreamHandler):
        async def after_result_stream(self, operation: Operation) -> None:
            sent.append(("after", operation.completed, operation.id in self.operations))

    handler = Handler(
        view=None, websocket=_Socket(sent), context={}, root_value=None,
        schema=strawberry.Schema(query=_Query, subscription=_Subscription),
        connection_init_wait_timeout=timedelta(seconds=1),
    )  # fmt: skip
    operation = Operation(handler, "1", "subscription { ticks }", None, None)
    handler.operations["1"] = operation
    await handler.run_operation(operation)
    assert sent == ["next", "next", ("after", False, True), "complete"], f"{where}: run_operation sent {sent}"


# strawberry: the view's websocket adapter (public, relied on by schema/live_transport.py)


def test_strawberrys_asgi_view_makes_its_websocket_adapter_from_view_request_and_response():
    where = f"strawberry-graphql {version('strawberry-graphql')}, GraphQL.websocket_adapter_class"
    assert GraphQL.websocket_adapter_class is ASGIWebSocketAdapter, f"{where}: now {GraphQL.websocket_adapter_class}"
    parameters = list(inspect.signature(ASGIWebSocketAdapter.__init__).parameters)
    assert parameters == ["self", "view", "request", "response"], f"{where}: ASGIWebSocketAdapter{parameters}"
