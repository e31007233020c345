"""The handler of each outbox kind, named here once: whatever runs the jobs
(the in-process runner, `clinicportal worker`) looks them up in this table."""

from __future__ import annotations

from collections.abc import Mapping

from jobs.email import send_email
from jobs.registry import Handler
from jobs.sms import send_sms
from jobs.webhooks import deliver_webhook

HANDLERS: Mapping[str, Handler] = {
    "email": send_email,
    "sms": send_sms,
    "webhook": deliver_webhook,
}
