"""The production shape in docker-compose.yml: one SECRET_KEY shared by
every API replica and worker, and a placeholder production refuses."""

from __future__ import annotations

import re

import pytest
import yaml

from settings import PLACEHOLDER_SECRET_KEY, Settings
from tests.support.servers import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_process_built_from_the_app_shares_one_secret_key_defaulting_to_the_placeholder():
    ours = {name: service for name, service in COMPOSE["services"].items() if service.get("image") == "clinicportal:latest"}
    assert {"api", "worker", "migrate"} <= set(ours)
    keys = {service["environment"]["SECRET_KEY"] for service in ours.values()}
    assert keys == {COMPOSE["x-secret-key"]}
    assert re.fullmatch(r"\$\{SECRET_KEY:-(.+)\}", COMPOSE["x-secret-key"]).group(1) == PLACEHOLDER_SECRET_KEY


def test_production_refuses_the_placeholder_secret_key_and_accepts_a_real_one():
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings.from_env({"ENVIRONMENT": "production", "SECRET_KEY": PLACEHOLDER_SECRET_KEY})
    assert Settings.from_env({"ENVIRONMENT": "production", "SECRET_KEY": "a" * 64}).secret_key == "a" * 64


def test_the_compose_file_names_the_twilio_and_smtp_settings_with_working_defaults():
    environment = COMPOSE["x-app"]["environment"]
    defaults = {name: re.fullmatch(r"\$\{\w+:-(.*)\}", str(environment[name])).group(1) for name in (
        "TWILIO_API_BASE", "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_FROM")}
    settings = Settings.from_env({**defaults, "SECRET_KEY": "b" * 64})
    assert settings.twilio_api_base == "https://api.twilio.com"
    assert (settings.smtp_port, settings.smtp_username, settings.smtp_starttls) == (1025, None, False)
