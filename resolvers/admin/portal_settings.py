"""A clinic's portal set-up, changed by its administrators: what the portal
offers, its booking window and grid, its texts and its branding."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any, Protocol

from models import Clinic
from models.db import write_transaction
from settings import Settings
from resolvers.core import access
from resolvers.core.errors import input_field, invalid
from resolvers.core.principal import Principal

HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
MAX_TEXT = 10_000
MEDIA_PREFIX = "/media/"

# field name -> (lowest, highest) for the whole numbers
RANGES = {
    "cancellation_notice_hours": (0, 24 * 30),
    "booking_min_notice_minutes": (0, 60 * 24 * 30),
    "booking_horizon_days": (1, 730),
    "slot_step_minutes": (5, 240),
    "hold_minutes": (1, 60),
    "max_holds_per_caller": (1, 20),
    "waitlist_offer_minutes": (5, 1440),
}
OFFER_MODES = ("HOLD", "ALL")
FLAGS = (
    "portal_enabled",
    "accepts_new_clients",
    "show_prices",
    "practitioners_see_all_diaries",
    "clients_can_book",
    "clients_can_cancel",
    "clients_can_reschedule",
    "verify_manual_entry",
)
TEXTS = ("cancellation_policy_text", "booking_instructions", "terms_and_conditions")


def portal_url(settings: Settings, clinic: Clinic) -> str:
    return f"{settings.public_booking_url}/p/{clinic.slug}/"


def logo_url(settings: Settings, clinic: Clinic) -> str | None:
    stored = clinic.branding_logo_url
    if stored and stored.startswith(MEDIA_PREFIX):
        return settings.public_api_url + stored
    return stored


def _checked(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes, validated and tidied; raises on the first bad one."""
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        field = input_field("background_color" if name == "branding_background_color" else name)
        if name in FLAGS:
            if value is None:
                raise invalid("Give true or false.", field)
            clean[name] = bool(value)
        elif name in RANGES:
            low, high = RANGES[name]
            if value is None or not low <= value <= high:
                raise invalid(f"Give a whole number from {low} to {high}.", field)
            clean[name] = value
        elif name in TEXTS:
            text = (value or "").strip()
            if len(text) > MAX_TEXT:
                raise invalid(f"At most {MAX_TEXT} characters.", field)
            clean[name] = text or None
        elif name == "branding_background_color":
            colour = (value or "").strip()
            if colour and not HEX_COLOUR.match(colour):
                raise invalid("Give a CSS hex colour such as #f4efe9.", field)
            clean[name] = colour.lower() or None
        elif name == "waitlist_offer_mode":
            if value is None or str(value) not in OFFER_MODES:
                raise invalid("Give HOLD or ALL.", field)
            clean[name] = str(value)
        elif name == "name":
            text = (value or "").strip()
            if not 1 <= len(text) <= 200:
                raise invalid("A clinic's name has 1 to 200 characters.", field)
            clean[name] = text
        else:
            raise invalid(f"Unknown setting {name}.", field)
    if clean.get("slot_step_minutes") is not None and 1440 % clean["slot_step_minutes"]:
        raise invalid("The slot step must divide a day evenly (5, 10, 15, 20, 30, 60 ...).", ["input", "slotStepMinutes"])
    return clean


async def update_portal_settings(principal: Principal, changes: dict[str, Any]) -> Clinic:
    """Only the settings named in `changes` change; a text set to null or
    blank is cleared."""
    clinic_id = access.require_admin(principal)
    clean = _checked(changes)
    async with write_transaction():
        if clean:
            await Clinic.filter(id=clinic_id).update(**clean)
        return await Clinic.get(id=clinic_id)


# Logos: recognised by their first bytes, never by the name or type the
# browser sends. SVG is refused: it can carry scripts.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
)
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp)$")


def sniff_image(data: bytes) -> str | None:
    """The file extension for a PNG, JPEG or WebP image, or None."""
    for magic, ext, _ in SIGNATURES:
        if data.startswith(magic):
            return ext
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def stored_file(settings: Settings, name: str) -> tuple[Path, str] | None:
    """An uploaded file by its public name, with its media type; None for
    any name this app did not give out."""
    match = STORED_NAME.match(name)
    if not match:
        return None
    path = uploads_dir(settings) / name
    return (path, MEDIA_TYPES[match.group(1)]) if path.is_file() else None


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


async def upload_logo(settings: Settings, principal: Principal, file: Readable) -> Clinic:
    """`file` is the uploaded file (read here up to the size limit)."""
    clinic_id = access.require_admin(principal)
    limit = settings.logo_max_bytes
    data = await file.read(limit + 1)
    if not data:
        raise invalid("The file is empty.", ["file"])
    if len(data) > limit:
        raise invalid(f"A logo may be at most {limit // 1024} KiB.", ["file"])
    ext = sniff_image(data)
    if ext is None:
        raise invalid("A logo must be a PNG, JPEG or WebP image (SVG is not accepted).", ["file"])
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{ext}"
    path = folder / name
    path.write_bytes(data)
    try:
        async with write_transaction():
            clinic = await Clinic.select_for_update().get(id=clinic_id)
            previous = clinic.branding_logo_url
            await Clinic.filter(id=clinic_id).update(branding_logo_url=MEDIA_PREFIX + name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    _remove_stored(settings, previous)
    return await Clinic.get(id=clinic_id)


async def remove_logo(settings: Settings, principal: Principal) -> Clinic:
    clinic_id = access.require_admin(principal)
    async with write_transaction():
        clinic = await Clinic.select_for_update().get(id=clinic_id)
        previous = clinic.branding_logo_url
        await Clinic.filter(id=clinic_id).update(branding_logo_url=None)
    _remove_stored(settings, previous)
    return await Clinic.get(id=clinic_id)


def _remove_stored(settings: Settings, url: str | None) -> None:
    if url and url.startswith(MEDIA_PREFIX) and STORED_NAME.match(url.removeprefix(MEDIA_PREFIX)):
        (uploads_dir(settings) / url.removeprefix(MEDIA_PREFIX)).unlink(missing_ok=True)
