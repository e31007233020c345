"""Optional traces: with OTEL_EXPORTER_OTLP_ENDPOINT set (and the `otel`
extra installed) each GraphQL operation is a span sent over OTLP/HTTP to
that collector; without it nothing of OpenTelemetry is loaded."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from app import create_app
from schema import build_schema
from settings import Settings
from tests.conftest import TEST_SETTINGS
from tests.support.webhook_receiver import webhook_receiver

SIGN_IN = (
    "mutation SignIn($s: String!, $e: String!, $p: String!) {"
    " signIn(clinicSlug: $s, email: $e, password: $p) { userErrors { code } } }"
)
SECRET = "not-my-password-9f2c"


def _extension_names(schema) -> list[str]:
    return [getattr(e, "func", e).__name__ for e in schema.extensions]


def test_the_endpoint_is_read_from_the_environment():
    settings = Settings.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/", "OTEL_SERVICE_NAME": "portal-eu"})
    assert (settings.otel_endpoint, settings.otel_service_name) == ("http://collector:4318", "portal-eu")
    assert Settings.from_env({}).otel_endpoint is None


async def test_without_an_endpoint_nothing_is_traced(backend):
    app = create_app(replace(TEST_SETTINGS, database_url=backend.url))
    assert app.state.tracer_provider is None
    assert "OpenTelemetryExtension" not in _extension_names(build_schema(TEST_SETTINGS))


async def test_with_an_endpoint_each_operation_is_a_span_at_the_collector(backend, demo):
    async with webhook_receiver("/v1/traces") as collector:
        endpoint = collector.url.removesuffix("/v1/traces")
        app = create_app(replace(TEST_SETTINGS, database_url=backend.url, otel_endpoint=endpoint))
        provider = app.state.tracer_provider
        assert "OpenTelemetryExtension" in _extension_names(build_schema(TEST_SETTINGS, provider))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            await client.post("/graphql", json={"query": 'query ClinicName { clinic(slug: "demo") { name } }'})
            variables = {"s": "demo", "e": "client@demo.clinic", "p": SECRET}
            await client.post("/graphql", json={"query": SIGN_IN, "variables": variables})
        try:
            assert await asyncio.to_thread(provider.force_flush, 10_000)
        finally:
            await asyncio.to_thread(provider.shutdown)
    assert collector.received, "no spans reached the collector"
    spans, services = [], set()
    for delivery in collector.received:
        assert delivery.headers["content-type"] == "application/x-protobuf"
        request = ExportTraceServiceRequest.FromString(delivery.body)
        for resource_spans in request.resource_spans:
            services |= {a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"}
            spans += [span for scope in resource_spans.scope_spans for span in scope.spans]
    names = {span.name for span in spans}
    assert {"GraphQL Query: ClinicName", "GraphQL Query: SignIn"} <= names
    assert services == {"clinicportal"}
    assert all(SECRET.encode() not in delivery.body for delivery in collector.received)  # arguments stay out
