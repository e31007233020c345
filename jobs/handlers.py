"""Every module that registers an outbox handler, imported once by whatever
runs the jobs (the in-process runner, `clinicportal worker`)."""

from __future__ import annotations


def load() -> None:
    from jobs import email  # noqa: F401  "email"
    from jobs import sms  # noqa: F401  "sms"
    from jobs import webhooks  # noqa: F401  "webhook"
