"""The process's Prometheus metrics, served at `/metrics` (web/metrics.py).

Defined once, here, with prometheus-client's own process-wide registry,
which is how the library is meant to be used: under several uvicorn
workers (`clinicportal serve --workers N`) `PROMETHEUS_MULTIPROC_DIR` is
set before any worker starts, each worker writes its values there, and a
scrape adds them up (see `serve` in cli.py). Gauges say how they add up
across workers (`multiprocess_mode`).

What the database knows (outbox rows by state, the oldest due one) is not
here: it is read when `/metrics` is scraped (web/metrics.py)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# GraphQL operations (schema/observability.py). `outcome` is one of
# OUTCOMES; `operation` is the operation's name, "anonymous" for an unnamed
# one, "other" past a bounded number of distinct names.
OUTCOMES = ("ok", "expected_error", "invalid", "unexpected_error")
GRAPHQL_REQUESTS = Counter(
    "clinicportal_graphql_requests",
    "GraphQL operations (queries and mutations) by operation name and outcome: ok, expected_error (a coded"
    " error: userErrors or a top-level code), invalid (a document that does not parse or validate, variables"
    " that do not coerce), unexpected_error (a bug or an outage).",
    ["operation", "outcome"],
)
GRAPHQL_LATENCY = Histogram(
    "clinicportal_graphql_request_duration_seconds",
    "Time to answer a GraphQL query or mutation, by operation name and outcome.",
    ["operation", "outcome"],
)
GRAPHQL_ERRORS = Counter(
    "clinicportal_graphql_errors",
    "Errors by operation name and code: the codes of userErrors and of top-level errors, INTERNAL for an"
    " unexpected error, GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED for documents.",
    ["operation", "code"],
)

# Appointments (resolvers/booking), counted once their transaction has
# committed. `source` is who made the change: PORTAL (a signed-in client or
# a booking session), ONLINE (the booking page with typed-in details),
# STAFF or PARTNER.
BOOKINGS = Counter("clinicportal_bookings", "Appointments booked, by source.", ["source"])
CANCELLATIONS = Counter("clinicportal_cancellations", "Appointments cancelled, by source.", ["source"])
RESCHEDULES = Counter("clinicportal_reschedules", "Appointments moved to another time, by source.", ["source"])

# The outbox runner (jobs/runner.py), in the API process or `clinicportal worker`.
JOB_DURATION = Histogram(
    "clinicportal_job_duration_seconds",
    "Time to carry out one claimed outbox row, by kind (sms, email, webhook, ...) and outcome"
    " (sent, retry, dead, cancelled, interrupted, failed).",
    ["kind", "outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
DEAD_LETTERS = Counter(
    "clinicportal_outbox_dead_letters",
    "Outbox rows given up on (turned DEAD) by this server's job runs, by kind.",
    ["kind"],
)

# Live events (realtime/).
LIVE_SUBSCRIBERS = Gauge(
    "clinicportal_live_subscribers",
    "Live subscriptions open now (calendar and appointment streams).",
    multiprocess_mode="livesum",
)
LIVE_DELIVERY_LAG = Histogram(
    "clinicportal_live_delivery_lag_seconds",
    "From a live event's arrival at this process's hub (from Redis, or from a local publish) to its"
    " offer to the subscribers' queues, the appointment read once for all of them included.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
LIVE_EVENTS_DROPPED = Counter(
    "clinicportal_live_events_dropped",
    "Live events dropped because a queue was full, by where: publish, prepare, redis.",
    ["where"],
)
LIVE_EVENTS_RECOVERED = Counter(
    "clinicportal_live_events_recovered",
    "Live events this process read from the event log because their message did not reach it"
    " (Redis away, a message lost or relayed out of turn).",
)
EVENTS_RELAYED = Counter(
    "clinicportal_events_relayed",
    "Committed events the relay handed to Redis (or to this process's subscribers without Redis).",
)
REDIS_RECONNECTS = Counter(
    "clinicportal_redis_reconnects",
    "Times the live events' Redis pub/sub connection came back after it was lost.",
)


def process_exiting(pid: int) -> None:
    """A worker that stops under `PROMETHEUS_MULTIPROC_DIR` (Settings'
    `metrics_multiproc_dir`) takes its live gauges (subscribers) out of the
    sum."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)
