"""An appointment's payments, and a payment's refunds."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from models import Payment, Refund
from resolvers.billing.payments import payments_by_appointment, refunds_by_payment
from resolvers.core import tenant


class PaymentsByAppointmentLoader(DataLoader[tenant.Key, list[Payment]]):
    """Keys are (clinic, appointment)."""

    def __init__(self) -> None:
        super().__init__(load_fn=payments_by_appointment)


class RefundsByPaymentLoader(DataLoader[tenant.Key, list[Refund]]):
    """Keys are (clinic, payment)."""

    def __init__(self) -> None:
        super().__init__(load_fn=refunds_by_payment)
