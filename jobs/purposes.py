"""What an outbox message is for (`payload["purpose"]`), where the runner
needs to know it."""

from __future__ import annotations

# The texts about an appointment as it is booked: outdated once it is
# cancelled or moved (resolvers/notifications/sms_plan.py drops them, and
# jobs/runner.py checks again before sending one).
ABOUT_THE_BOOKING = frozenset({"confirmation", "reschedule", "reminder"})
