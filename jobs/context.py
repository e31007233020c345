"""What a job handler is handed besides its outbox row: the settings of the
process running it, and the HTTP client it shares with every other job of
that runner.

Whoever runs the jobs owns one `JobContext` for as long as it runs and
closes it when it stops: the in-process runner (`InProcessRunner.start` /
`stop`), each SAQ worker (its startup and shutdown hooks), and a test that
calls handlers itself (`async with JobContext(settings) as jobs:`). The
client is opened on first use, inside the running event loop, so a runner
that never sends an SMS opens none."""

from __future__ import annotations

from twilio.http.async_http_client import AsyncTwilioHttpClient

from settings import Settings


class JobContext:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._twilio_http: AsyncTwilioHttpClient | None = None

    def twilio_http(self) -> AsyncTwilioHttpClient:
        """The runner's one HTTP client for Twilio (one aiohttp session and
        its connection pool, for every clinic's account: credentials go with
        each request)."""
        if self._twilio_http is None:
            self._twilio_http = AsyncTwilioHttpClient(pool_connections=True)
        return self._twilio_http

    async def aclose(self) -> None:
        """Closes what was opened; the context may be used again after."""
        http, self._twilio_http = self._twilio_http, None
        if http is not None:
            await http.close()

    async def __aenter__(self) -> JobContext:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
