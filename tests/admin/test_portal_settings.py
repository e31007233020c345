"""Portal set-up by the clinic's administrators: settings, colour, logo."""

from __future__ import annotations

import struct
import zlib
from dataclasses import replace

import pytest

from tests.support.admin import USER_ERRORS, codes, partner_key, practitioner_token
from tests.conftest import TEST_SETTINGS, staff_token

UPDATE = (
    "mutation($input: PortalSettingsInput!) { updatePortalSettings(input: $input) {"
    " clinic { name portalEnabled acceptsNewClients showPrices bookingInstructions termsAndConditions"
    " cancellationPolicy { noticeHours text } bookingMinNoticeMinutes bookingHorizonDays slotStepMinutes"
    " practitionersSeeAllDiaries branding { backgroundColor logoUrl } portalUrl } " + USER_ERRORS + " } }"
)
CLINIC = '{ clinic(slug: "demo") { portalEnabled portalUrl branding { backgroundColor logoUrl } } }'
UPLOAD = "mutation($file: Upload!) { uploadLogo(file: $file) { clinic { branding { logoUrl } } " + USER_ERRORS + " } }"


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def media_dir(tmp_path, backend, runtime):
    runtime.settings = replace(TEST_SETTINGS, database_url=backend.url, data_dir=tmp_path, logo_max_bytes=4096)
    yield tmp_path / "uploads"


async def upload(api, token: str | None, content: bytes, filename: str, content_type: str):
    import json

    operations = json.dumps({"query": UPLOAD, "variables": {"file": None}})
    files = {"0": (filename, content, content_type)}
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await api.http.post(
        "/graphql", data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})}, files=files, headers=headers
    )


async def test_an_admin_changes_the_portal_settings_and_the_public_face_shows_them(api):
    owner = await staff_token(api)
    changes = {
        "portalEnabled": False,
        "acceptsNewClients": False,
        "showPrices": False,
        "cancellationNoticeHours": 48,
        "cancellationPolicyText": "Two days' notice, please.",
        "bookingInstructions": None,
        "termsAndConditions": "New terms.",
        "bookingMinNoticeMinutes": 120,
        "bookingHorizonDays": 90,
        "slotStepMinutes": 30,
        "backgroundColor": "#AABBCC",
        "practitionersSeeAllDiaries": True,
    }
    result = (await api.data(UPDATE, {"input": changes}, owner))["updatePortalSettings"]
    assert result["userErrors"] == []
    clinic = result["clinic"]
    assert clinic["portalEnabled"] is False and clinic["acceptsNewClients"] is False and clinic["showPrices"] is False
    assert clinic["cancellationPolicy"] == {"noticeHours": 48, "text": "Two days' notice, please."}
    assert clinic["bookingInstructions"] is None and clinic["termsAndConditions"] == "New terms."
    assert (clinic["bookingMinNoticeMinutes"], clinic["bookingHorizonDays"], clinic["slotStepMinutes"]) == (120, 90, 30)
    assert clinic["practitionersSeeAllDiaries"] is True
    assert clinic["branding"]["backgroundColor"] == "#aabbcc"
    assert clinic["name"] == "Demo Skin Clinic"  # not sent, not changed
    public = (await api.data(CLINIC))["clinic"]
    assert public["portalEnabled"] is False
    assert public["portalUrl"] == "http://127.0.0.1:8000/p/demo/"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"backgroundColor": "red; background: url(x)"}, "backgroundColor"),
        ({"backgroundColor": "#12345"}, "backgroundColor"),
        ({"slotStepMinutes": 7}, "slotStepMinutes"),
        ({"slotStepMinutes": 0}, "slotStepMinutes"),
        ({"bookingHorizonDays": 0}, "bookingHorizonDays"),
        ({"cancellationNoticeHours": -1}, "cancellationNoticeHours"),
        ({"portalEnabled": None}, "portalEnabled"),
    ],
)
async def test_bad_settings_are_refused_and_nothing_changes(api, changes, field):
    owner = await staff_token(api)
    sent = {"portalEnabled": False, **changes} if "portalEnabled" not in changes else changes
    result = (await api.data(UPDATE, {"input": sent}, owner))["updatePortalSettings"]
    assert codes(result) == ["INVALID_INPUT"] and result["userErrors"][0]["field"] == ["input", field]
    assert (await api.data(CLINIC))["clinic"]["portalEnabled"] is True


async def test_a_practitioner_cannot_change_settings(api):
    token = await practitioner_token(api)
    result = (await api.data(UPDATE, {"input": {"portalEnabled": False}}, token))["updatePortalSettings"]
    assert codes(result) == ["UNAUTHENTICATED"]
    assert (await api.data(CLINIC))["clinic"]["portalEnabled"] is True


async def test_a_partner_key_without_the_admin_scope_cannot_change_settings(api):
    key = await partner_key("demo", ["read", "book", "calendar"])
    result = (await api.data(UPDATE, {"input": {"portalEnabled": False}}, key))["updatePortalSettings"]
    assert codes(result) == ["UNAUTHENTICATED"]
    assert (await api.data(CLINIC))["clinic"]["portalEnabled"] is True
    admin_key = await partner_key("demo", ["admin"])
    result = (await api.data(UPDATE, {"input": {"portalEnabled": False}}, admin_key))["updatePortalSettings"]
    assert result["userErrors"] == [] and result["clinic"]["portalEnabled"] is False


async def test_a_client_or_a_visitor_cannot_change_settings(api):
    from tests.conftest import client_token

    for token in (await client_token(api), None):
        result = (await api.data(UPDATE, {"input": {"portalEnabled": False}}, token))["updatePortalSettings"]
        assert codes(result) == ["UNAUTHENTICATED"]


async def test_a_png_logo_is_stored_and_served_with_its_type(api, media_dir):
    owner = await staff_token(api)
    image = png()
    response = await upload(api, owner, image, "logo.gif", "image/gif")  # the name and type sent do not matter
    result = response.json()["data"]["uploadLogo"]
    assert result["userErrors"] == []
    url = result["clinic"]["branding"]["logoUrl"]
    assert url.startswith("http://127.0.0.1:8000/media/") and url.endswith(".png")
    assert (await api.data(CLINIC))["clinic"]["branding"]["logoUrl"] == url
    served = await api.http.get(url.removeprefix("http://127.0.0.1:8000"))
    assert served.status_code == 200 and served.content == image
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in served.headers["content-security-policy"]
    assert [p.name for p in media_dir.iterdir()] == [url.rsplit("/", 1)[1]]
    # A new logo replaces the old file.
    second = (await upload(api, owner, png(3, 3), "logo.png", "image/png")).json()["data"]["uploadLogo"]
    new_url = second["clinic"]["branding"]["logoUrl"]
    assert new_url != url and [p.name for p in media_dir.iterdir()] == [new_url.rsplit("/", 1)[1]]
    assert (await api.http.get(url.removeprefix("http://127.0.0.1:8000"))).status_code == 404


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "content, filename, content_type",
    [
        (SVG, "logo.svg", "image/svg+xml"),
        (b"<html><script>alert(1)</script></html>", "logo.png", "image/png"),
        (b"", "logo.png", "image/png"),
    ],
)
async def test_logos_that_are_not_png_jpeg_or_webp_are_refused(api, media_dir, content, filename, content_type):
    owner = await staff_token(api)
    result = (await upload(api, owner, content, filename, content_type)).json()["data"]["uploadLogo"]
    assert codes(result) == ["INVALID_INPUT"] and result["userErrors"][0]["field"] == ["file"]
    assert (await api.data(CLINIC))["clinic"]["branding"]["logoUrl"] is None
    assert not media_dir.exists() or list(media_dir.iterdir()) == []


async def test_a_logo_over_the_size_limit_is_refused(api, media_dir):
    owner = await staff_token(api)
    big = png() + b"\x00" * 5000  # LOGO_MAX_BYTES is 4096 here
    result = (await upload(api, owner, big, "logo.png", "image/png")).json()["data"]["uploadLogo"]
    assert codes(result) == ["INVALID_INPUT"] and "KiB" in result["userErrors"][0]["message"]
    assert (await api.data(CLINIC))["clinic"]["branding"]["logoUrl"] is None


async def test_only_admins_upload_logos_and_a_multipart_request_needs_a_bearer_credential(api, media_dir):
    practitioner = await practitioner_token(api)
    result = (await upload(api, practitioner, png(), "logo.png", "image/png")).json()["data"]["uploadLogo"]
    assert codes(result) == ["UNAUTHENTICATED"]
    anonymous = await upload(api, None, png(), "logo.png", "image/png")
    assert anonymous.status_code == 400
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not media_dir.exists() or list(media_dir.iterdir()) == []


async def test_media_names_this_app_did_not_give_out_are_not_found(api, media_dir):
    for name in ("..%2Fclinicportal.sqlite3", "x.png", "0" * 32 + ".svg", "0" * 32 + ".png"):
        response = await api.http.get(f"/media/{name}")
        assert response.status_code == 404
