"""Background jobs (SMS, e-mail, reminders, clean-up) run after commit."""
