"""The rows the planners of one appointment change read (its client,
treatment and practitioner), each read once however many planners ask."""

from __future__ import annotations

import uuid

from models import Appointment, Client, Clinic, Practitioner, Treatment


class ChangeRows:
    def __init__(self, clinic: Clinic) -> None:
        self.clinic = clinic
        self._read: dict[tuple[type, uuid.UUID], object] = {}

    async def _one(self, model: type, ident: uuid.UUID):
        key = (model, ident)
        if key not in self._read:
            self._read[key] = await model.get(id=ident, clinic_id=self.clinic.id)
        return self._read[key]

    async def client(self, appointment: Appointment) -> Client:
        return await self._one(Client, appointment.client_id)

    async def treatment(self, appointment: Appointment) -> Treatment:
        return await self._one(Treatment, appointment.treatment_id)

    async def practitioner(self, appointment: Appointment) -> Practitioner:
        return await self._one(Practitioner, appointment.practitioner_id)
