"""Where to go: the page at `/` and the lines `clinicportal serve` prints at
start-up (GraphiQL in development, the practitioner calendar, the reports,
the client portals; at start-up also where the data is and the demo logins)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from portal.pages import SECURITY_HEADERS
from resolvers.demo.clinics import PRACTITIONER_PASSWORD, DemoClinic
from settings import Settings

DEMO_SLUG = "demo"


def links(settings: Settings) -> list[tuple[str, str, str]]:
    """(what, path, what for) of each page the home page links; GraphiQL and
    the demo clinic only in development."""
    found = [
        ("Practitioner calendar", "/calendar", "clinic staff sign in here"),
        ("Reports", "/reports", "the clinic's administrators: the reports as charts, and as CSV"),
    ]
    if not settings.production:
        found.insert(0, ("GraphiQL", "/graphql", "try the GraphQL API in the browser"))
        found.append(("Demo client portal", f"/p/{DEMO_SLUG}/", "the demo clinic's portal, for its clients"))
        found.append(
            ("Demo client portal in German", f"/p/{DEMO_SLUG}/?lang=de", "the same portal in another of its eight languages")
        )
    return found


def _page(settings: Settings) -> str:
    items = "\n".join(
        f'<li><a href="{escape(url)}">{escape(what)}</a>: {escape(note)}</li>' for what, url, note in links(settings)
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clinic Portal</title>
</head>
<body>
<h1>Clinic Portal</h1>
<p>This server answers the Clinic Portal GraphQL API at <code>/graphql</code>.</p>
<ul>
{items}
</ul>
<p>Each clinic's client portal is at <code>/p/</code> followed by the clinic's short name, for example <code>/p/{DEMO_SLUG}/</code>.</p>
</body>
</html>
"""


async def home(request: Request) -> Response:
    settings = request.app.state.runtime.settings
    return HTMLResponse(_page(settings), headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})


def banner(settings: Settings, listening: str, storage: str, demo: Iterable[DemoClinic]) -> str:
    """What `clinicportal serve` prints before it starts serving: where the
    data is, where to go, and the demo logins when the demo clinics exist."""
    base = settings.public_booking_url
    places = [("data", storage)]
    if not settings.production:
        places.append(("GraphiQL", f"{settings.public_api_url}/graphql"))
    places += [("calendar", f"{base}/calendar"), ("reports", f"{base}/reports"), ("portals", f"{base}/p/<clinic>/")]
    lines = [f"Clinic Portal, serving on {listening}"] + [f"  {label:<10} {value}" for label, value in places]
    demo = list(demo)
    if demo:
        lines.append("Demo logins (staff and practitioners at the calendar, clients at their portal):")
    for spec in demo:
        lines.append(f"  {spec.slug:<10} portal {base}/p/{spec.slug}/")
        lines.append(
            f"  {'':<10} staff {spec.owner[0]} / {spec.owner[1]}, client {spec.client[1]} / {spec.client[2]},"
            f" practitioner {spec.practitioners[0][1]} / {PRACTITIONER_PASSWORD}"
        )
    return "\n".join(lines)
