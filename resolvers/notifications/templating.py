"""E-mail templates: the placeholders a clinic may use, checking a template
when it is saved, and filling it in when a message is queued.

Syntax: `{Name}` is a placeholder; `{{` and `}}` write a literal brace. Any
other brace, or an unknown name, is refused when the template is saved, so
a queued message never meets one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from resolvers.core.errors import invalid

PLACEHOLDERS: dict[str, str] = {
    "ClientFullName": "The client's full name.",
    "ClientMobilePhone": "The client's mobile number, in international form (+44...).",
    "ClientEmail": "The client's e-mail address.",
    "AppointmentStartDateTime": "When the appointment starts, in the clinic's time zone.",
    "NextAppointmentStartDateTime": "Same as AppointmentStartDateTime (the name other diary systems use).",
    "AppointmentEndDateTime": "When the appointment ends, in the clinic's time zone.",
    "TreatmentName": "The treatment booked.",
    "PractitionerName": "The practitioner whose diary holds the appointment.",
    "ClinicName": "The clinic's name.",
    "ClinicTimeZone": "The clinic's time zone, e.g. Europe/London.",
    "CancellationReason": "Why it was cancelled (empty when no reason was given, and for new appointments).",
}

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def _pieces(text: str, field: list[str]) -> list[tuple[bool, str]]:
    """(is placeholder, text) pieces; refuses unknown names and stray braces."""
    pieces: list[tuple[bool, str]] = []
    at = 0
    for match in _TOKEN.finditer(text):
        if match.start() > at:
            pieces.append((False, text[at : match.start()]))
        token = match.group(0)
        if token in ("{{", "}}"):
            pieces.append((False, token[0]))
        elif match.group(1) is not None:
            name = match.group(1)
            if name not in PLACEHOLDERS:
                raise invalid(
                    f"Unknown placeholder {{{name}}}. Known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}.", field
                )
            pieces.append((True, name))
        else:
            line = text.count("\n", 0, match.start()) + 1
            raise invalid(
                f"Unbalanced brace '{token}' at line {line}: write {{{{ or }}}} for a literal brace.", field
            )
        at = match.end()
    if at < len(text):
        pieces.append((False, text[at:]))
    return pieces


def check(text: str, field: list[str]) -> None:
    _pieces(text, field)


def render(text: str, values: dict[str, str]) -> str:
    return "".join(values.get(name, "") if is_name else name for is_name, name in _pieces(text, ["template"]))


def local_time(moment: datetime, timezone: str) -> str:
    """`Tuesday 5 January 2027, 10:00 GMT (Europe/London)`: the zone's
    abbreviation says summer or winter time, its name says which zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {local.tzname()} ({timezone})"


@dataclass(frozen=True)
class AppointmentFacts:
    client_full_name: str
    client_mobile_phone: str | None
    client_email: str | None
    start: datetime
    end: datetime
    treatment_name: str
    practitioner_name: str
    clinic_name: str
    timezone: str
    cancellation_reason: str | None = None

    def values(self) -> dict[str, str]:
        start = local_time(self.start, self.timezone)
        return {
            "ClientFullName": self.client_full_name,
            "ClientMobilePhone": self.client_mobile_phone or "",
            "ClientEmail": self.client_email or "",
            "AppointmentStartDateTime": start,
            "NextAppointmentStartDateTime": start,
            "AppointmentEndDateTime": local_time(self.end, self.timezone),
            "TreatmentName": self.treatment_name,
            "PractitionerName": self.practitioner_name,
            "ClinicName": self.clinic_name,
            "ClinicTimeZone": self.timezone,
            "CancellationReason": self.cancellation_reason or "",
        }


def one_line(text: str) -> str:
    """A subject is one header line, whatever a client typed into their name."""
    return " ".join(text.split())
