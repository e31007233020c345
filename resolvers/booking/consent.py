"""Consent forms: booking a treatment that links one asks the client to
sign it, through a single-use link sent by e-mail (and SMS when the clinic
has Twilio configured). The link's token is 256 random bits; only its
SHA-256 is stored. It lives until the appointment starts; a cancelled
appointment's unsigned request dies; a rescheduled appointment keeps its
request (signed or not, the same link) for the new time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote

from models import (
    Appointment,
    Client,
    Clinic,
    ConsentForm,
    ConsentRequest,
    ConsentRequestStatus,
    Practitioner,
    Treatment,
    utcnow,
)
from models.db import write_transaction
from realtime import events
from realtime.events import EventKind
from resolvers.account import credentials
from resolvers.notifications import outbox
from resolvers.core.runtime import Runtime
from resolvers.core import access
from resolvers.core import i18n
from resolvers.core import tenant
from resolvers.notifications import templating
from resolvers.core.ratelimit import network
from resolvers.core.errors import DomainError, ErrorCode, invalid
from resolvers.notifications.outbox import enqueue
from resolvers.core.principal import Principal
from resolvers.notifications.change_rows import ChangeRows

PURPOSE = "consent_request"
MAX_SIGNATURE = 200


class ConsentStatus(StrEnum):
    """What staff see on an appointment."""

    NOT_REQUIRED = "NOT_REQUIRED"  # no form linked (or the appointment was cancelled unsigned)
    PENDING = "PENDING"
    SIGNED = "SIGNED"


def status_of(statuses: list[str]) -> ConsentStatus:
    if ConsentRequestStatus.SIGNED in statuses:
        return ConsentStatus.SIGNED
    if ConsentRequestStatus.PENDING in statuses:
        return ConsentStatus.PENDING
    return ConsentStatus.NOT_REQUIRED


async def statuses_by_appointment(keys: list[tenant.Key]) -> list[ConsentStatus]:
    """Keys are (clinic, appointment): one query per clinic, however many
    appointments."""
    found: dict[tenant.Key, list[str]] = defaultdict(list)
    for clinic_id, ids in tenant.by_clinic(keys).items():
        rows = await ConsentRequest.filter(clinic_id=clinic_id, appointment_id__in=ids).values_list(
            "appointment_id", "status"
        )
        for appointment_id, status in rows:
            found[(clinic_id, appointment_id)].append(status)
    return [status_of(found.get(k, [])) for k in keys]


def signing_link(rt: Runtime, clinic: Clinic, token: str) -> str:
    base = rt.settings.public_booking_url
    return f"{base}/p/{quote(clinic.slug)}/consent?token={quote(token)}"


async def _queue_link(rt: Runtime, appointment: Appointment, clinic: Clinic, client: Client, treatment: str, form: str, token: str) -> None:
    """The signing link to the client: by e-mail, and by SMS when the clinic
    has Twilio configured."""
    link = signing_link(rt, clinic, token)
    when = i18n.when(appointment.start_at, clinic.timezone, client.language, clinic.country, long=True)
    _ = i18n.translations(client.language).gettext
    facts = {"name": client.full_name, "treatment": treatment, "when": when, "form": form, "link": link, "clinic": clinic.name}
    if client.email:
        body = "\n\n".join(
            (
                _("Hello {name},").format(**facts),
                _('Before your {treatment} appointment on {when}, please read and sign the consent form "{form}":').format(**facts),
                link,
                _("The link is for you alone and works until your appointment starts."),
                f"{clinic.name}\n",
            )
        )
        subject = templating.one_line(_("{clinic}: please sign your consent form for {treatment}").format(**facts))
        await enqueue(
            clinic.id,
            "email",
            {"to": [client.email], "subject": subject, "body": body, "purpose": PURPOSE},
            appointment_id=appointment.id,
        )
    if clinic.sms_configured and client.phone:
        text = _("{clinic}: please sign your consent form before your {treatment} appointment on {when}: {link}").format(**facts)
        await enqueue(
            clinic.id,
            "sms",
            {"to": client.phone, "body": text, "client_id": str(client.id), "purpose": PURPOSE},
            appointment_id=appointment.id,
        )


async def _ask(rt: Runtime, appointment: Appointment, clinic: Clinic, client: Client, treatment: Treatment, form: ConsentForm) -> None:
    """Write the request and queue the link to the client."""
    token = credentials.new_token()
    await ConsentRequest.create(
        clinic_id=clinic.id,
        appointment_id=appointment.id,
        client_id=client.id,
        form_id=form.id,
        form_title=form.title,
        form_body=form.body,
        token_hash=credentials.hash_token(token),
        expires_at=appointment.start_at,
    )
    await _queue_link(rt, appointment, clinic, client, treatment.name, form.title, token)


async def plan_consent(
    rt: Runtime,
    kind: EventKind, appointment: Appointment, clinic: Clinic, previous: Appointment | None, rows: ChangeRows
) -> None:
    """A planner (resolvers/side_effects.py): runs inside the change's transaction."""
    if kind == events.CANCELLED:
        await ConsentRequest.filter(
            clinic_id=clinic.id, appointment_id=appointment.id, status=ConsentRequestStatus.PENDING
        ).update(status=ConsentRequestStatus.CANCELLED)
        await outbox.cancel_pending(clinic.id, appointment.id, {PURPOSE}, "The appointment was cancelled.")
        return
    if kind not in (events.BOOKED, events.RESCHEDULED):
        return
    if kind == events.RESCHEDULED and previous is not None:
        moved = await ConsentRequest.filter(
            clinic_id=clinic.id,
            appointment_id=previous.id,
            status__in=(ConsentRequestStatus.PENDING, ConsentRequestStatus.SIGNED),
        ).update(appointment_id=appointment.id, expires_at=appointment.start_at)
        if moved:
            return
    treatment = await rows.treatment(appointment)
    if treatment.consent_form_id is None:
        return
    form = await ConsentForm.get_or_none(id=treatment.consent_form_id, clinic_id=clinic.id)
    if form is not None:
        await _ask(rt, appointment, clinic, await rows.client(appointment), treatment, form)


@dataclass(frozen=True)
class ConsentView:
    """What the signing page shows."""

    request: ConsentRequest
    status: ConsentStatus
    clinic_name: str
    timezone: str
    treatment_name: str
    practitioner_name: str
    appointment_start: datetime


async def _limit(rt: Runtime, ip: str) -> None:
    settings = rt.settings
    await rt.check_rate(f"consent:ip:{network(ip)}", settings.consent_per_ip, "Too many consent link attempts.")


def _invalid() -> DomainError:
    return DomainError(ErrorCode.TOKEN_INVALID, "This consent link is not valid.", ["token"])


async def _find(principal: Principal, token: str, clinic_slug: str | None) -> ConsentRequest:
    found = await tenant.consent_request_by_token_hash(principal, credentials.hash_token(token or ""), clinic_slug)
    if found is None:
        raise _invalid()
    return found


def _refusal(request: ConsentRequest, now: datetime) -> DomainError | None:
    if request.status == ConsentRequestStatus.SIGNED:
        return DomainError(ErrorCode.TOKEN_ALREADY_USED, "This consent form has already been signed.", ["token"])
    if request.status == ConsentRequestStatus.CANCELLED:
        return DomainError(ErrorCode.TOKEN_EXPIRED, "The appointment was cancelled; nothing to sign.", ["token"])
    if request.expires_at <= now:
        return DomainError(ErrorCode.TOKEN_EXPIRED, "This consent link expired when the appointment started.", ["token"])
    return None


async def _view(request: ConsentRequest) -> ConsentView:
    appointment = await Appointment.get(id=request.appointment_id, clinic_id=request.clinic_id)
    clinic = await Clinic.get(id=request.clinic_id)
    treatment = await Treatment.get(id=appointment.treatment_id, clinic_id=clinic.id)
    practitioner = await Practitioner.get(id=appointment.practitioner_id, clinic_id=clinic.id)
    return ConsentView(
        request=request,
        status=status_of([request.status]),
        clinic_name=clinic.name,
        timezone=clinic.timezone,
        treatment_name=treatment.name,
        practitioner_name=practitioner.name,
        appointment_start=appointment.start_at,
    )


async def consent_request(
    rt: Runtime,
    principal: Principal, token: str, ip: str, clinic_slug: str | None = None, *, now: datetime | None = None
) -> ConsentView:
    """Public: the form behind a signing link. A signed one stays readable
    (it is the client's record); a cancelled or expired unsigned one is
    TOKEN_EXPIRED."""
    now = now or utcnow()
    await _limit(rt, ip)
    request = await _find(principal, token, clinic_slug)
    refusal = _refusal(request, now)
    if refusal is not None and request.status != ConsentRequestStatus.SIGNED:
        raise refusal
    return await _view(request)


async def sign_consent_form(
    rt: Runtime,
    principal: Principal,
    token: str,
    signature_name: str,
    agree: bool,
    ip: str,
    clinic_slug: str | None = None,
    *,
    now: datetime | None = None,
) -> ConsentView:
    """Spend the link with one conditional UPDATE: of any number of
    concurrent signings exactly one changes the row."""
    now = now or utcnow()
    await _limit(rt, ip)
    request = await _find(principal, token, clinic_slug)
    if (refusal := _refusal(request, now)) is not None:
        raise refusal
    name = " ".join((signature_name or "").split())
    if not name or len(name) > MAX_SIGNATURE:
        raise invalid(f"Type your full name to sign (at most {MAX_SIGNATURE} characters).", ["signatureName"])
    if not agree:
        raise invalid("Tick the box to agree to the form before signing.", ["agree"])
    async with write_transaction():
        signed = await ConsentRequest.filter(
            id=request.id, status=ConsentRequestStatus.PENDING, expires_at__gt=now
        ).update(status=ConsentRequestStatus.SIGNED, signed_at=now, signature_name=name, signed_ip=ip[:64])
        if signed:  # calendars show the new consent status
            appointment = await Appointment.get(id=request.appointment_id, clinic_id=request.clinic_id)
            await events.record(events.UPDATED, appointment)
    request = await ConsentRequest.get(id=request.id)
    if not signed:
        raise _refusal(request, now) or _invalid()
    rt.changes_committed()
    return await _view(request)


RESENDS_PER_WINDOW = 3


async def resend_consent_link(rt: Runtime, principal: Principal, appointment_id: str, *, now: datetime | None = None) -> Appointment:
    """A fresh link for an unsigned form (the client lost the first): the
    old link stops working. Staff, a partner key with the book scope, or the
    client; a few times per appointment per window, as it may send an SMS."""
    now = now or utcnow()
    access.require_appointment_change(principal)
    appointment = await tenant.appointment(principal, appointment_id)
    await rt.check_rate(f"consent:resend:{appointment.id}", RESENDS_PER_WINDOW, "A new link was sent recently.")
    token = credentials.new_token()
    async with write_transaction():
        request = await ConsentRequest.filter(
            clinic_id=appointment.clinic_id, appointment_id=appointment.id, status=ConsentRequestStatus.PENDING
        ).select_for_update().first()
        if request is None or request.expires_at <= now:
            raise invalid("This appointment has no consent form waiting to be signed.", ["appointmentId"])
        await ConsentRequest.filter(id=request.id, status=ConsentRequestStatus.PENDING).update(
            token_hash=credentials.hash_token(token)
        )
        clinic = await Clinic.get(id=appointment.clinic_id)
        client = await Client.get(id=appointment.client_id, clinic_id=clinic.id)
        treatment = await Treatment.get(id=appointment.treatment_id, clinic_id=clinic.id)
        await _queue_link(rt, appointment, clinic, client, treatment.name, request.form_title, token)
    rt.wake_jobs()
    return appointment
