"""`GET /metrics`: the process's metrics (telemetry/metrics.py; every
worker's together under PROMETHEUS_MULTIPROC_DIR) and, read from the
database as the scrape comes in, the outbox: rows by state and the age of
the oldest due row.

Not for the public: with METRICS_TOKEN set a scrape must bring it as
`Authorization: Bearer <token>`; without it, only callers on the loopback
interface are answered (a Prometheus on the same host, or a tunnel)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from jobs.outbox_stats import OutboxStats, outbox_stats
from settings import Settings

log = logging.getLogger("clinicportal.metrics")


class OutboxCollector:
    """The outbox as read for this scrape (None: the database did not answer)."""

    def __init__(self, stats: OutboxStats | None) -> None:
        self.stats = stats

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("clinicportal_outbox_stats_up", "1 when the outbox could be read for this scrape.")
        up.add_metric([], 0 if self.stats is None else 1)
        yield up
        if self.stats is None:
            return
        rows = GaugeMetricFamily(
            "clinicportal_outbox_rows",
            "Outbox rows by state: PENDING (due or waiting), SENT, DEAD (dead letters: given up on), CANCELLED.",
            labels=["state"],
        )
        for state, count in sorted(self.stats.rows.items()):
            rows.add_metric([state], count)
        yield rows
        yield GaugeMetricFamily(
            "clinicportal_outbox_oldest_due_age_seconds",
            "How long the oldest PENDING row that is due has waited (0 when none is).",
            value=self.stats.oldest_due_age_seconds,
        )


class _ThisProcess:
    """prometheus-client's own registry (our metrics, and the process's
    CPU and memory), inside the registry of one scrape."""

    def collect(self) -> Iterator[Metric]:
        return REGISTRY.collect()


def refusal(request: Request, settings: Settings) -> Response | None:
    if settings.metrics_token:
        presented = request.headers.get("authorization", "")
        scheme, _, token = presented.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.metrics_token.encode()):
            return None
        return PlainTextResponse("A metrics token is needed.", 401, headers={"WWW-Authenticate": "Bearer"})
    host = request.client.host if request.client else ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return None
    return PlainTextResponse("Metrics are served to loopback callers only, unless METRICS_TOKEN is set.", 403)


async def _outbox() -> OutboxStats | None:
    try:
        return await outbox_stats()
    except Exception:  # noqa: BLE001 - a scrape still answers with what the process knows
        log.exception("the outbox could not be read for /metrics")
        return None


async def metrics(request: Request) -> Response:
    settings = request.app.state.runtime.settings
    if (refused := refusal(request, settings)) is not None:
        return refused
    registry = CollectorRegistry(auto_describe=False)
    if settings.metrics_multiproc_dir:
        MultiProcessCollector(registry, path=settings.metrics_multiproc_dir)
    else:
        registry.register(_ThisProcess())
    registry.register(OutboxCollector(await _outbox()))
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(registry), headers={"Content-Type": content_type})
