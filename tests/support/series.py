"""GraphQL documents and helpers shared by the recurring series tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.booking import at

OCCURRENCE = "id start status practitioner { id name } series { id }"
ERRORS = "userErrors { code message field }"
BOOK_SERIES = (
    "mutation($input: BookSeriesInput!) { bookSeries(input: $input) {"
    f" series {{ id }} appointments {{ {OCCURRENCE} }} missed {{ number start code message }} {ERRORS} }} }}"
)
CANCEL_SCOPED = (
    "mutation($id: ID!, $scope: SeriesScope!) { cancelAppointment(id: $id, scope: $scope) {"
    f" appointment {{ id status }} appointments {{ id status start }} {ERRORS} }} }}"
)
MOVE_SCOPED = (
    "mutation($id: ID!, $start: DateTime!, $scope: SeriesScope!) {"
    " rescheduleAppointment(id: $id, start: $start, scope: $scope) {"
    f" appointment {{ id start }} appointments {{ {OCCURRENCE} rescheduledFromId }} {ERRORS} }} }}"
)
SERIES = f"query($id: ID!) {{ series(id: $id) {{ id every unit appointments {{ {OCCURRENCE} }} }} }}"


def series_input(demo, *, slug: str = "demo", treatment: str = "Facial", start: str | None = None, **extra) -> dict:
    """A weekly series of four for the clinic's demo client, by default with
    its first practitioner."""
    clinic = demo[slug]
    first_practitioner = next(iter(clinic.practitioners.values()))
    return {
        "clinicSlug": slug,
        "treatmentId": str(clinic.treatments[treatment].id),
        "start": start or at(7, 14, tz=clinic.clinic.timezone),
        "clientId": str(clinic.client.id),
        "practitionerId": str(first_practitioner.id),
        "count": 4,
        **extra,
    }


def weeks_after(start: str, weeks: int, tz: str = "Europe/London") -> datetime:
    """The same wall-clock time in the clinic `weeks` weeks later."""
    zone = ZoneInfo(tz)
    local = datetime.fromisoformat(start).astimezone(zone).replace(tzinfo=None) + timedelta(weeks=weeks)
    return local.replace(tzinfo=zone).astimezone(UTC)


def instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)
