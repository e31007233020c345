"""`clinicportal`: serve, migrate, seed-demo, worker, sandbox, sandbox-mail, create-clinic, create-api-key, list-api-keys, revoke-api-key."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from settings import Settings, serve_on, served_url


def _run_with_db(settings: Settings, work: Callable[[Any], Awaitable[int]]) -> int:
    """`work` with the database open and a runtime of the command's own (no
    live events; the API process or the worker carries out queued jobs)."""
    from models.db import close_db, init_db
    from resolvers.core.runtime import Runtime

    async def main() -> int:
        runtime = Runtime.build(settings)
        await init_db(settings.database_url)
        try:
            return await work(runtime)
        finally:
            await close_db()

    return asyncio.run(main())


def migrate(settings: Settings) -> int:
    from tortoise import Tortoise
    from tortoise.migrations.api.migrate import migrate as run_migrations

    from models.db import init_db, tortoise_config

    async def main() -> None:
        await init_db(settings.database_url)  # creates the SQLite folder
        await Tortoise.close_connections()
        await run_migrations(config=tortoise_config(settings.database_url))
        await Tortoise.close_connections()

    asyncio.run(main())
    print(f"migrated: {storage(settings)}")
    return 0


def seed_demo(settings: Settings) -> int:
    from resolvers.demo.clinics import seed_demo as seed

    async def work(runtime) -> int:
        seeded = await seed(runtime, history=True)
        print(f"seeded: {', '.join(seeded)}" if seeded else "demo data already present")
        return 0

    return _run_with_db(settings, work)


def create_api_key(
    settings: Settings, clinic_slug: str, scopes: list[str], name: str | None, rate_limit: int | None = None
) -> int:
    from models import Clinic
    from resolvers.admin.api_keys import create_key
    from resolvers.core.errors import DomainError

    async def work(runtime) -> int:
        clinic = await Clinic.get_or_none(slug=clinic_slug)
        if clinic is None:
            print(f"no clinic with slug {clinic_slug!r}", file=sys.stderr)
            return 2
        try:
            issued = await create_key(clinic.id, scopes, name, rate_limit)
        except DomainError as error:
            print(error.message, file=sys.stderr)
            return 2
        print(issued.key)
        return 0

    return _run_with_db(settings, work)


def create_clinic(settings: Settings, args: argparse.Namespace) -> int:
    from resolvers.admin.clinic_setup import NewClinic
    from resolvers.admin.clinic_setup import create_clinic as create
    from resolvers.core.errors import DomainError

    spec = NewClinic(
        slug=args.slug,
        name=args.name,
        timezone=args.timezone,
        currency=args.currency,
        country=args.country,
        admin_email=args.admin_email,
        admin_password=args.admin_password,
        admin_name=args.admin_name,
    )

    async def work(runtime) -> int:
        try:
            clinic, admin = await create(runtime, spec)
        except DomainError as error:
            print(f"{'/'.join(error.field or [])}: {error.message}", file=sys.stderr)
            return 2
        print(f"created clinic {clinic.slug} ({clinic.id}); administrator {admin.email} signs in with staffSignIn")
        return 0

    return _run_with_db(settings, work)


def list_api_keys(settings: Settings, clinic_slug: str) -> int:
    from models import Clinic, Credential, CredentialKind

    async def work(runtime) -> int:
        clinic = await Clinic.get_or_none(slug=clinic_slug)
        if clinic is None:
            print(f"no clinic with slug {clinic_slug!r}", file=sys.stderr)
            return 2
        for key in await Credential.filter(clinic_id=clinic.id, kind=CredentialKind.API_KEY).order_by("created_at"):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            print(f"{key.id}  {','.join(key.scopes):<24} {state:<18} {key.name or ''}")
        return 0

    return _run_with_db(settings, work)


def revoke_api_key(settings: Settings, clinic_slug: str, key_id: str) -> int:
    from models import Clinic, Credential, CredentialKind
    from resolvers.account import credentials
    from resolvers.core.ids import parse_id

    async def work(runtime) -> int:
        clinic = await Clinic.get_or_none(slug=clinic_slug)
        ident = parse_id(key_id)
        key = clinic and ident and await Credential.get_or_none(id=ident, clinic_id=clinic.id, kind=CredentialKind.API_KEY)
        if not key:
            print(f"no API key {key_id!r} for clinic {clinic_slug!r}", file=sys.stderr)
            return 2
        print("revoked" if await credentials.revoke(key.id) else "already revoked")
        return 0

    return _run_with_db(settings, work)


def storage(settings: Settings) -> str:
    """Where the data lives, for the start-up lines (no password shown)."""
    from urllib.parse import urlsplit

    uploads = settings.data_dir / "uploads"
    if settings.database_url.startswith("sqlite://"):
        return f"{settings.database_url.removeprefix('sqlite://').split('?')[0]} (SQLite), uploads in {uploads}"
    parts = urlsplit(settings.database_url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}{parts.path}, uploads in {uploads}"


def _demo_clinics(settings: Settings) -> list:
    """The demo clinics present in the database (development only); none
    when it cannot be read (not migrated yet: the server will say why)."""
    if settings.production:
        return []
    from models import Clinic
    from resolvers.demo.clinics import DEMO_CLINICS

    async def work(runtime) -> list:
        present = set(await Clinic.filter(slug__in=[s.slug for s in DEMO_CLINICS]).values_list("slug", flat=True))
        return [spec for spec in DEMO_CLINICS if spec.slug in present]

    try:
        return _run_with_db(settings, work)
    except Exception:  # noqa: BLE001 - only the start-up lines lose the logins
        return []


@contextmanager
def shared_metrics(settings: Settings, workers: int) -> Iterator[None]:
    """Several workers add up their metrics through a folder
    (prometheus-client's multiprocess mode): PROMETHEUS_MULTIPROC_DIR, or a
    temporary one removed at the end. It is emptied first, so that no
    stopped server's counts linger. Set in the environment, which the
    workers uvicorn starts inherit, before any of them imports
    prometheus-client."""
    folder = settings.metrics_multiproc_dir
    if folder is None and workers <= 1:
        yield
        return
    path = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="clinicportal-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    try:
        yield
    finally:
        if folder is None:
            shutil.rmtree(path, ignore_errors=True)


def serve(host: str, port: int, workers: int) -> int:
    import uvicorn

    from telemetry import logs
    from web.home import banner

    serve_on(host, port)  # the app factory reads them: public URLs follow the served address
    settings = Settings.from_env()
    text = banner(settings, served_url(host, port), storage(settings), _demo_clinics(settings))
    if settings.log_format == "json":  # one JSON object a line, the start-up lines included
        import logging.config

        logging.config.dictConfig(logs.config(settings.log_level, settings.log_format))
        logging.getLogger("clinicportal").info(text)
    else:
        print(text, flush=True)
    with shared_metrics(settings, workers):
        uvicorn.run(
            "app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=logs.config(settings.log_level, settings.log_format),
            log_level=settings.log_level.lower(),
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            # Live events are small; per-socket compression state (about 50 KB
            # each) costs more than it saves for a calendar open all day.
            ws_per_message_deflate=False,
        )
    return 0


def serve_worker_metrics(host: str, port: int) -> None:
    """The worker's own metrics (job durations, dead letters) over HTTP, in a
    thread of prometheus-client's; on the loopback interface unless told
    otherwise, since it asks for no token."""
    from prometheus_client import start_http_server

    start_http_server(port, addr=host)


def worker(settings: Settings, metrics_host: str = "127.0.0.1", metrics_port: int | None = None) -> int:
    if not settings.redis_url:
        print(
            "clinicportal worker: REDIS_URL is not set; without it the API process runs the jobs itself.",
            file=sys.stderr,
        )
        return 2
    import logging
    import logging.config

    from jobs import worker as jobs_worker
    from telemetry import logs

    logging.config.dictConfig(logs.config(settings.log_level, settings.log_format))
    logging.getLogger("twilio").setLevel(logging.WARNING)  # it logs every request's headers at INFO
    if metrics_port is not None:
        serve_worker_metrics(metrics_host, metrics_port)

    async def main() -> None:
        from models.db import close_db, init_db

        await init_db(settings.database_url)
        try:
            await jobs_worker.run(settings)
        finally:
            await close_db()

    asyncio.run(main())
    return 0


# How to pick another port for each stand-in, for the one line a clash prints.
SANDBOX_PORTS = {
    "the Twilio stand-in": "--twilio-port (make sandbox TWILIO_PORT=...)",
    "the SMTP sandbox": "--smtp-port (make sandbox SMTP_PORT=...)",
    "the sandbox's mail page": "--mail-http-port (make sandbox MAIL_HTTP_PORT=...)",
}
SANDBOX_MAIL_PORTS = {"the SMTP sandbox": "--smtp-port", "the sandbox's mail page": "--http-port"}


def _stand_ins(command: str, options: dict[str, str], main: Callable[[], Awaitable[None]]) -> int:
    """Runs the stand-ins until Ctrl-C; a port in use is one line and exit 2."""
    from jobs.listening import PortInUse

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    except PortInUse as exc:
        print(f"clinicportal {command}: {exc}; choose another port with {options[exc.what]}", file=sys.stderr)
        return 2
    return 0


async def _serve_mail(host: str, smtp_port: int, http_port: int) -> None:
    """The SMTP sandbox and its mail page, until cancelled."""
    from jobs.listening import bound_socket, serve_app
    from jobs.sandbox_mail import http_app, start_mail_sandbox

    page = bound_socket("the sandbox's mail page", host, http_port)
    try:
        mail = start_mail_sandbox(host, smtp_port, echo=True)
    except BaseException:
        page.close()
        raise
    try:
        print(f"SMTP sandbox on {host}:{smtp_port}; received mail at http://{host}:{http_port}/messages", flush=True)
        _, task = await serve_app(http_app(mail), page)
        await task
    finally:
        mail.stop()


def sandbox(host: str, twilio_port: int, smtp_port: int, mail_http_port: int) -> int:
    """Local stand-ins for the services the jobs talk to, until Ctrl-C: a
    Twilio Messages API and an SMTP server (its mail as JSON over HTTP)."""
    from jobs.sandbox import start_twilio_sandbox

    async def main() -> None:
        twilio = await start_twilio_sandbox(host, twilio_port)
        try:
            print(f"Twilio stand-in: {twilio.url}  (TWILIO_API_BASE={twilio.url}; messages at {twilio.url}/_sandbox/messages)")
            await asyncio.gather(twilio.task, _serve_mail(host, smtp_port, mail_http_port))
        finally:
            await twilio.stop()

    return _stand_ins("sandbox", SANDBOX_PORTS, main)


def sandbox_mail(host: str, smtp_port: int, http_port: int) -> int:
    """A local SMTP server for the demo: prints each mail it receives and
    serves them as JSON at http://HOST:HTTP_PORT/messages."""
    return _stand_ins("sandbox-mail", SANDBOX_MAIL_PORTS, lambda: _serve_mail(host, smtp_port, http_port))


def messages(new_languages: list[str]) -> int:
    """Re-extracts the marked texts into the templates and updates every
    language's catalogue (resolvers/core/locales/); prints what is left to
    translate."""
    from resolvers.core import catalogues

    for line in catalogues.update(tuple(new_languages)):
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clinicportal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="serve the API with uvicorn")
    serve_cmd.add_argument("--host", default=None, help="default: HOST, else 127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=None, help="default: PORT, else 8000")
    serve_cmd.add_argument("--workers", type=int, default=1)
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("seed-demo", help="seed the demo clinics when missing")
    worker_cmd = commands.add_parser("worker", help="run background jobs through SAQ (needs REDIS_URL)")
    worker_cmd.add_argument("--metrics-port", type=int, default=None, help="serve this worker's metrics at /metrics")
    worker_cmd.add_argument("--metrics-host", default="127.0.0.1")
    sandbox_cmd = commands.add_parser("sandbox", help="serve local stand-ins for Twilio (and SMTP) for the demo")
    sandbox_cmd.add_argument("--host", default="127.0.0.1")
    sandbox_cmd.add_argument("--twilio-port", type=int, default=8010)
    sandbox_cmd.add_argument("--smtp-port", type=int, default=1025)
    sandbox_cmd.add_argument("--mail-http-port", type=int, default=8025)
    key_cmd = commands.add_parser("create-api-key", help="mint a partner API key (printed once)")
    key_cmd.add_argument("--clinic", required=True, help="clinic slug")
    key_cmd.add_argument("--scopes", default="read", help="comma-separated: read,book,calendar,admin")
    key_cmd.add_argument("--name", default=None)
    key_cmd.add_argument("--rate-limit", type=int, default=None, help="requests a minute (default: API_KEY_RATE_PER_MINUTE)")
    clinic_cmd = commands.add_parser("create-clinic", help="a new clinic with its first administrator")
    clinic_cmd.add_argument("--slug", required=True, help="the portal's address: /p/SLUG/")
    clinic_cmd.add_argument("--name", required=True)
    clinic_cmd.add_argument("--timezone", required=True, help="IANA time zone, e.g. Europe/London")
    clinic_cmd.add_argument("--currency", required=True, help="ISO 4217, e.g. GBP")
    clinic_cmd.add_argument("--country", required=True, help="ISO 3166, e.g. GB")
    clinic_cmd.add_argument("--admin-email", required=True)
    clinic_cmd.add_argument("--admin-password", required=True, help="at least 10 characters")
    clinic_cmd.add_argument("--admin-name", default="Clinic Owner")
    list_cmd = commands.add_parser("list-api-keys", help="a clinic's partner API keys (ids, scopes, state)")
    list_cmd.add_argument("--clinic", required=True)
    revoke_cmd = commands.add_parser("revoke-api-key", help="revoke a partner API key by its id")
    revoke_cmd.add_argument("--clinic", required=True)
    revoke_cmd.add_argument("--id", required=True)
    mail_cmd = commands.add_parser("sandbox-mail", help="a local SMTP server that shows the mail it receives")
    mail_cmd.add_argument("--host", default="127.0.0.1")
    mail_cmd.add_argument("--smtp-port", type=int, default=1025)
    mail_cmd.add_argument("--http-port", type=int, default=8025)
    messages_cmd = commands.add_parser("messages", help="extract the marked texts and update the catalogues")
    messages_cmd.add_argument("--add-language", action="append", default=[], help="start a catalogue, e.g. sv")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command != "serve":
        # Only servers share their metrics through PROMETHEUS_MULTIPROC_DIR:
        # another command would leave its files among theirs (and fail
        # where the folder does not exist yet). Unset before any import of
        # prometheus-client, which reads it once.
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

    if args.command == "serve":
        return serve(args.host or settings.host, settings.port if args.port is None else args.port, args.workers)
    if args.command == "migrate":
        return migrate(settings)
    if args.command == "seed-demo":
        return seed_demo(settings)
    if args.command == "worker":
        return worker(settings, args.metrics_host, args.metrics_port)
    if args.command == "sandbox-mail":
        return sandbox_mail(args.host, args.smtp_port, args.http_port)
    if args.command == "sandbox":
        return sandbox(args.host, args.twilio_port, args.smtp_port, args.mail_http_port)
    if args.command == "list-api-keys":
        return list_api_keys(settings, args.clinic)
    if args.command == "revoke-api-key":
        return revoke_api_key(settings, args.clinic, args.id)
    if args.command == "create-clinic":
        return create_clinic(settings, args)
    if args.command == "messages":
        return messages(args.add_language)
    scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
    return create_api_key(settings, args.clinic, scopes, args.name, args.rate_limit)


if __name__ == "__main__":
    sys.exit(main())
