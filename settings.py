"""The one place that reads the environment.

Every other module receives a `Settings` object; nothing else touches
`os.environ`.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# docker-compose.yml's stand-in for SECRET_KEY: a production process refuses it.
PLACEHOLDER_SECRET_KEY = "change-me-to-the-output-of-secrets.token_hex-32"


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{name} must be above zero")
    return value


def _list(env: dict[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


def default_data_dir() -> Path:
    """`var/` under the working directory, never inside the installed
    package (a reinstall or a new virtualenv would lose the data, and every
    user of that environment would share it)."""
    return Path.cwd() / "var"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite://{data_dir / 'clinicportal.sqlite3'}"


def served_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches a server listening on
    `host`:`port` by (a wildcard address means this machine)."""
    if host in ("", "0.0.0.0"):
        host = DEFAULT_HOST
    elif host == "::":
        host = "::1"
    try:
        is_v6 = ipaddress.ip_address(host).version == 6
    except ValueError:
        is_v6 = False
    return f"http://{f'[{host}]' if is_v6 else host}:{port}"


def serve_on(host: str, port: int) -> None:
    """Tells the processes about to serve (uvicorn's app factory, here or in
    its worker processes) where they listen, through HOST and PORT: the public
    URLs derive from them unless PUBLIC_BOOKING_URL / PUBLIC_API_URL are set."""
    os.environ["HOST"], os.environ["PORT"] = host, str(port)


LOG_FORMATS = ("text", "json")


def _observability(env: dict[str, str]) -> dict[str, object]:
    log_format = (env.get("LOG_FORMAT") or "text").strip().lower()
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be 'text' or 'json', got {log_format!r}")
    return {
        "log_format": log_format,
        "metrics_token": env.get("METRICS_TOKEN") or None,
        "metrics_multiproc_dir": env.get("PROMETHEUS_MULTIPROC_DIR") or None,
        "otel_endpoint": (env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or "").rstrip("/") or None,
        "otel_service_name": env.get("OTEL_SERVICE_NAME") or "clinicportal",
    }


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str = ""  # empty: an SQLite file in data_dir
    redis_url: str | None = None
    # Where `clinicportal serve` listens (HOST, PORT): the public URLs below
    # derive from it unless they are set.
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_booking_url: str = ""  # empty: served_url(host, port)
    log_level: str = "INFO"
    # Proxies whose X-Forwarded-For is believed (client IPs drive rate limits)
    forwarded_allow_ips: str = "127.0.0.1"
    # Credential lifetimes
    client_session_hours: int = 24 * 14
    staff_session_hours: int = 12
    booking_session_minutes: int = 30
    prefill_token_minutes: int = 5
    idempotency_hours: int = 48
    # GraphQL limits
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 256 * 1024
    # Only the server's known documents (the pages', by id) run: see schema/documents.py.
    trusted_documents_only: bool = False
    max_slot_range_days: int = 62
    # Sign-in rate limits (attempts per window)
    signin_per_account: int = 10  # from one address
    signin_per_account_total: int = 50  # from all addresses together
    signin_per_ip: int = 60
    signin_window_seconds: int = 15 * 60
    # Slot holds asked for from one address (an IPv6 /64 counts as one) per
    # hour; how many one caller keeps at once is each clinic's setting.
    holds_per_ip_hour: int = 300
    # Phone sign-in codes and password-reset links (see resolvers/phone_sign_in.py,
    # resolvers/password_reset.py). Counts are per hour unless named per day.
    secret_key: str = ""  # keys the HMAC of sign-in codes; one per deployment
    sms_code_per_phone: int = 5
    sms_code_per_ip: int = 10
    sms_code_per_clinic_day: int = 500
    sign_in_code_minutes: int = 10
    sign_in_code_max_attempts: int = 5
    password_reset_per_account: int = 3
    password_reset_per_ip: int = 20
    password_reset_minutes: int = 60
    supported_languages: tuple[str, ...] = ("en", "de", "es", "fr", "it", "nl", "pl", "pt")
    # Websockets
    ws_allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    ws_max_subscriptions: int = 20
    live_slot_range_days: int = 31  # the most days one availableSlotsChanged may watch
    anonymous_slot_watches: int = 3  # availableSlotsChanged watches one anonymous connection may hold
    anonymous_ws_per_minute: int = 60  # live connections without a credential, per network
    ws_init_timeout_seconds: int = 10
    ws_recheck_seconds: float = 30  # how often a live stream re-checks its credential
    # Outgoing e-mail (SMTP); the defaults reach `clinicportal sandbox-mail`
    smtp_host: str = "localhost"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: int = 20
    mail_from: str = "Clinic Portal <no-reply@clinicportal.localhost>"
    # Consent links looked up or signed per address per window
    consent_per_ip: int = 60
    # Clinic administration and partner access
    public_api_url: str = ""  # this API's public address (/media/... links, Twilio callbacks); empty: served_url(host, port)
    logo_max_bytes: int = 512 * 1024
    clinic_signup: bool = True  # self-serve `createClinic`; false: operators only (CLI)
    clinic_signup_per_ip: int = 5  # new clinics per address per hour
    api_key_rate_per_minute: int = 120  # per key, unless the key sets its own
    webhook_timeout_seconds: int = 10
    # Jobs (outbox runner, SAQ workers, Twilio)
    jobs_poll_seconds: float = 1.0  # how often due outbox rows are looked for
    jobs_max_attempts: int = 15  # then the row is DEAD (about 3.7 hours with the delays below)
    jobs_retry_base_seconds: float = 10  # first retry delay, doubled each time ...
    jobs_retry_max_seconds: float = 1800  # ... up to this
    jobs_lease_seconds: int = 120  # a claimed row is another runner's again after this
    jobs_concurrency: int = 10  # rows carried out at once per process
    cleanup_interval_seconds: int = 3600
    outbox_retention_days: int = 30  # SENT and CANCELLED rows are deleted after this
    event_retention_days: int = 7  # live events kept for resuming from a cursor
    event_relay_poll_seconds: float = 1.0  # how often the relay looks for events another process left
    live_catch_up_seconds: float = 2.0  # how often a process checks its clinics' logs for events it missed
    twilio_api_base: str = "https://api.twilio.com"
    twilio_timeout_seconds: float = 15
    # Argon2 cost (lower only in tests)
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # Logs, metrics and traces (README, "Operating")
    log_format: str = "text"  # or "json": one JSON object a line
    metrics_token: str | None = None  # bearer token for GET /metrics; without one, loopback callers only
    metrics_multiproc_dir: str | None = None  # PROMETHEUS_MULTIPROC_DIR: where workers share their metrics
    otel_endpoint: str | None = None  # OTEL_EXPORTER_OTLP_ENDPOINT: traces over OTLP/HTTP (the `otel` extra)
    otel_service_name: str = "clinicportal"

    def __post_init__(self) -> None:
        served = served_url(self.host, self.port)
        object.__setattr__(self, "database_url", self.database_url or sqlite_url(self.data_dir))
        object.__setattr__(self, "public_booking_url", (self.public_booking_url or served).rstrip("/"))
        object.__setattr__(self, "public_api_url", (self.public_api_url or served).rstrip("/"))

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        recheck = _float(env, "WS_RECHECK_SECONDS", cls.ws_recheck_seconds)
        environment = env.get("ENVIRONMENT", "development")
        if environment not in ("development", "production"):
            raise ValueError("ENVIRONMENT must be 'development' or 'production'")
        data_dir = Path(env.get("DATA_DIR") or default_data_dir()).resolve()
        if _int(env, "EVENT_RETENTION_DAYS", cls.event_retention_days) < cls.event_retention_days:
            raise ValueError(f"EVENT_RETENTION_DAYS must be at least {cls.event_retention_days}: cursors a week old still resume")
        if environment == "production" and env.get("SECRET_KEY") == PLACEHOLDER_SECRET_KEY:
            raise ValueError(
                "SECRET_KEY is still docker-compose.yml's placeholder: set one random value"
                " (python -c 'import secrets; print(secrets.token_hex(32))') for every process"
            )
        return cls(
            environment=environment,
            database_url=env.get("DATABASE_URL") or "",
            redis_url=env.get("REDIS_URL") or None,
            host=env.get("HOST") or DEFAULT_HOST,
            port=_int(env, "PORT", DEFAULT_PORT),
            public_booking_url=env.get("PUBLIC_BOOKING_URL") or "",
            data_dir=data_dir,
            log_level=env.get("LOG_LEVEL", cls.log_level).upper(),
            forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS", cls.forwarded_allow_ips),
            client_session_hours=_int(env, "CLIENT_SESSION_HOURS", cls.client_session_hours),
            staff_session_hours=_int(env, "STAFF_SESSION_HOURS", cls.staff_session_hours),
            max_query_depth=_int(env, "MAX_QUERY_DEPTH", cls.max_query_depth),
            max_aliases=_int(env, "MAX_ALIASES", cls.max_aliases),
            max_tokens=_int(env, "MAX_TOKENS", cls.max_tokens),
            trusted_documents_only=_bool(env, "TRUSTED_DOCUMENTS_ONLY", cls.trusted_documents_only),
            signin_per_account=_int(env, "SIGNIN_PER_ACCOUNT", cls.signin_per_account),
            signin_per_account_total=_int(env, "SIGNIN_PER_ACCOUNT_TOTAL", cls.signin_per_account_total),
            signin_per_ip=_int(env, "SIGNIN_PER_IP", cls.signin_per_ip),
            holds_per_ip_hour=_int(env, "HOLDS_PER_IP_HOUR", cls.holds_per_ip_hour),
            secret_key=env.get("SECRET_KEY", ""),
            sms_code_per_phone=_int(env, "SMS_CODE_PER_PHONE", cls.sms_code_per_phone),
            sms_code_per_ip=_int(env, "SMS_CODE_PER_IP", cls.sms_code_per_ip),
            sms_code_per_clinic_day=_int(env, "SMS_CODE_PER_CLINIC_DAY", cls.sms_code_per_clinic_day),
            password_reset_per_account=_int(env, "PASSWORD_RESET_PER_ACCOUNT", cls.password_reset_per_account),
            password_reset_per_ip=_int(env, "PASSWORD_RESET_PER_IP", cls.password_reset_per_ip),
            supported_languages=_list(env, "SUPPORTED_LANGUAGES") or cls.supported_languages,
            ws_allowed_origins=_list(env, "WS_ALLOWED_ORIGINS"),
            ws_recheck_seconds=recheck,
            ws_max_subscriptions=_int(env, "WS_MAX_SUBSCRIPTIONS", cls.ws_max_subscriptions),
            live_slot_range_days=_int(env, "LIVE_SLOT_RANGE_DAYS", cls.live_slot_range_days),
            anonymous_slot_watches=_int(env, "ANONYMOUS_SLOT_WATCHES", cls.anonymous_slot_watches),
            anonymous_ws_per_minute=_int(env, "ANONYMOUS_WS_PER_MINUTE", cls.anonymous_ws_per_minute),
            ws_init_timeout_seconds=_int(env, "WS_INIT_TIMEOUT_SECONDS", cls.ws_init_timeout_seconds),
            smtp_host=env.get("SMTP_HOST") or cls.smtp_host,
            smtp_port=_int(env, "SMTP_PORT", cls.smtp_port),
            smtp_username=env.get("SMTP_USERNAME") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_starttls=_bool(env, "SMTP_STARTTLS", cls.smtp_starttls),
            smtp_timeout_seconds=_int(env, "SMTP_TIMEOUT_SECONDS", cls.smtp_timeout_seconds),
            mail_from=env.get("MAIL_FROM") or cls.mail_from,
            consent_per_ip=_int(env, "CONSENT_PER_IP", cls.consent_per_ip),
            public_api_url=env.get("PUBLIC_API_URL") or "",
            logo_max_bytes=_int(env, "LOGO_MAX_BYTES", cls.logo_max_bytes),
            clinic_signup=_bool(env, "CLINIC_SIGNUP", cls.clinic_signup),
            clinic_signup_per_ip=_int(env, "CLINIC_SIGNUP_PER_IP", cls.clinic_signup_per_ip),
            api_key_rate_per_minute=_int(env, "API_KEY_RATE_PER_MINUTE", cls.api_key_rate_per_minute),
            webhook_timeout_seconds=_int(env, "WEBHOOK_TIMEOUT_SECONDS", cls.webhook_timeout_seconds),
            jobs_poll_seconds=_float(env, "JOBS_POLL_SECONDS", cls.jobs_poll_seconds),
            jobs_max_attempts=_int(env, "JOBS_MAX_ATTEMPTS", cls.jobs_max_attempts),
            jobs_retry_base_seconds=_float(env, "JOBS_RETRY_BASE_SECONDS", cls.jobs_retry_base_seconds),
            jobs_retry_max_seconds=_float(env, "JOBS_RETRY_MAX_SECONDS", cls.jobs_retry_max_seconds),
            jobs_lease_seconds=_int(env, "JOBS_LEASE_SECONDS", cls.jobs_lease_seconds),
            jobs_concurrency=_int(env, "JOBS_CONCURRENCY", cls.jobs_concurrency),
            cleanup_interval_seconds=_int(env, "CLEANUP_INTERVAL_SECONDS", cls.cleanup_interval_seconds),
            outbox_retention_days=_int(env, "OUTBOX_RETENTION_DAYS", cls.outbox_retention_days),
            event_retention_days=_int(env, "EVENT_RETENTION_DAYS", cls.event_retention_days),
            event_relay_poll_seconds=_float(env, "EVENT_RELAY_POLL_SECONDS", cls.event_relay_poll_seconds),
            live_catch_up_seconds=_float(env, "LIVE_CATCH_UP_SECONDS", cls.live_catch_up_seconds),
            twilio_api_base=env.get("TWILIO_API_BASE", cls.twilio_api_base).rstrip("/"),
            twilio_timeout_seconds=_float(env, "TWILIO_TIMEOUT_SECONDS", cls.twilio_timeout_seconds),
            argon2_time_cost=_int(env, "ARGON2_TIME_COST", cls.argon2_time_cost),
            argon2_memory_kib=_int(env, "ARGON2_MEMORY_KIB", cls.argon2_memory_kib),
            **_observability(env),
        )
