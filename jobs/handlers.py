"""Every module that registers an outbox handler, imported once by whatever
runs the jobs (the in-process runner, `clinicportal worker`)."""

from __future__ import annotations


def load() -> None:
    from jobs import sms  # noqa: F401  "sms"
