"""OpenTelemetry tracing, optional: with OTEL_EXPORTER_OTLP_ENDPOINT set, the
server sends a trace of every GraphQL operation (strawberry's
OpenTelemetryExtension, schema/tracing.py) to that OTLP/HTTP collector.
Needs the `otel` extra (`pip install 'clinicportal[otel]'`); it is imported
only then."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from settings import Settings

MISSING_EXTRA = (
    "OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed:"
    " pip install 'clinicportal[otel]' (or unset the variable)"
)


def tracer_provider(settings: Settings) -> Any:
    """The process's tracer provider, exporting in batches over OTLP/HTTP to
    `{OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces` (as the OpenTelemetry spec
    reads that variable); None without the setting. Its owner shuts it down
    (which sends what is left)."""
    if not settings.otel_endpoint:
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise RuntimeError(MISSING_EXTRA) from exc
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.otel_service_name}))
    exporter = OTLPSpanExporter(endpoint=f"{settings.otel_endpoint}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


Lifespan = Callable[[Any], AbstractAsyncContextManager]


def tracing_ends_with(lifespan: Lifespan, provider: Any) -> Lifespan:
    """The app's lifespan, then the provider shut down (its last spans sent)."""
    if provider is None:
        return lifespan

    @asynccontextmanager
    async def traced(app: Any) -> AsyncIterator[None]:
        try:
            async with lifespan(app):
                yield
        finally:
            await asyncio.to_thread(provider.shutdown)

    return traced
