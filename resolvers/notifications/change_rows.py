"""The rows the planners of one appointment change read (its client,
treatment and practitioner, the clinic's e-mail and webhook settings), each
read once however many planners ask; from the clinic's kept facts
(resolvers/core/clinic_cache.py) when the change has them, and the client
as the change already read it."""

from __future__ import annotations

import uuid

from models import Appointment, Client, Clinic, EmailTemplate, Practitioner, PractitionerEmailSettings, Treatment, WebhookEndpoint
from resolvers.core.clinic_cache import ClinicFacts


class ChangeRows:
    def __init__(
        self, clinic: Clinic, facts: ClinicFacts | None = None, client: Client | None = None,
        covered: bool | None = None,
    ) -> None:
        """`covered`: whether a membership of the client may cover the
        treatment (None: not known, look)."""
        self.clinic = clinic
        self.facts = facts
        self.covered = covered
        self._read: dict[tuple[type, uuid.UUID], object] = {}
        if client is not None:
            self._read[(Client, client.id)] = client

    async def _one(self, model: type, ident: uuid.UUID):
        key = (model, ident)
        if key not in self._read:
            self._read[key] = await model.get(id=ident, clinic_id=self.clinic.id)
        return self._read[key]

    async def client(self, appointment: Appointment) -> Client:
        return await self._one(Client, appointment.client_id)

    async def treatment(self, appointment: Appointment) -> Treatment:
        kept = self.facts.treatment(appointment.treatment_id) if self.facts else None
        return kept or await self._one(Treatment, appointment.treatment_id)

    async def practitioner(self, appointment: Appointment) -> Practitioner:
        kept = self.facts.practitioner(appointment.practitioner_id) if self.facts else None
        return kept or await self._one(Practitioner, appointment.practitioner_id)

    async def email_settings(self) -> PractitionerEmailSettings | None:
        if self.facts is not None:
            return self.facts.email_settings
        return await PractitionerEmailSettings.filter(clinic_id=self.clinic.id).first()

    async def template(self, template_id: uuid.UUID | None) -> EmailTemplate | None:
        if template_id is None:
            return None
        if self.facts is not None:
            return self.facts.templates.get(template_id)
        return await EmailTemplate.get_or_none(id=template_id, clinic_id=self.clinic.id)

    async def webhooks(self) -> list[WebhookEndpoint]:
        if self.facts is not None:
            return list(self.facts.webhooks)
        return await WebhookEndpoint.filter(clinic_id=self.clinic.id, active=True)
