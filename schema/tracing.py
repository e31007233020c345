"""OpenTelemetry traces of each operation, through strawberry's own
extension, when the server is given a tracer provider (web/tracing.py,
with OTEL_EXPORTER_OTLP_ENDPOINT set and the `otel` extra installed)."""

from __future__ import annotations

from functools import partial
from typing import Any


def no_arguments(arguments: dict[str, Any], info: Any) -> dict[str, Any]:
    """Resolver arguments stay out of the spans: they carry passwords,
    tokens, names and phone numbers."""
    return {}


def tracing_extension(tracer_provider: Any) -> Any:
    """strawberry's OpenTelemetryExtension, imported only when asked for (the
    `otel` extra is optional)."""
    from strawberry.extensions.tracing import OpenTelemetryExtension

    return partial(OpenTelemetryExtension, tracer_provider=tracer_provider, arg_filter=no_arguments)
