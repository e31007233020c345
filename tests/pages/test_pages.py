"""The reference pages as the server hands them out, and `myClinic`, the
query the calendar page starts from. (The pages at work: test_browser.py.)"""

import re
from dataclasses import replace

import httpx

from app import create_app
from tests.conftest import client_token, staff_token
from tests.support.environment import TEST_SETTINGS

PAGES = ("/p/demo/", "/p/demo/book", "/p/demo/consent", "/p/demo/waitlist", "/p/demo/reset-password", "/calendar")


async def test_every_page_is_served_with_a_strict_content_security_policy_and_no_inline_script(api):
    for path in PAGES:
        response = await api.http.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe" not in policy
        assert response.headers["referrer-policy"] == "no-referrer"
        scripts = re.findall(r"<script[^>]*>", response.text)
        assert scripts and all('src="/assets/' in tag or 'src="/vendor/' in tag for tag in scripts)
        assert "style=" not in response.text


async def test_the_reports_page_loads_only_its_own_scripts_and_the_vendored_chart_library(api):
    response = await api.http.get("/reports")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    assert "http" not in response.text and "style=" not in response.text
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', response.text)
    assert scripts == ["/vendor/chart.umd.min.js", "/assets/reports.js"]
    for source in scripts:
        asset = await api.http.get(source)
        assert asset.status_code == 200 and "javascript" in asset.headers["content-type"], source
        assert asset.headers["content-security-policy"] == policy


async def test_in_production_the_chart_library_is_served_and_graphiqls_files_are_not(backend, demo):
    app = create_app(replace(TEST_SETTINGS, database_url=backend.url, environment="production"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as production:
        assert (await production.get("/reports")).status_code == 200
        assert (await production.get("/vendor/chart.umd.min.js")).status_code == 200
        assert "MIT License" in (await production.get("/vendor/licenses/chart.js.LICENSE.txt")).text
        for hidden in ("/vendor/graphiql.min.js", "/vendor/react.production.min.js", "/vendor/MANIFEST.json", "/vendor/../pages.py"):
            assert (await production.get(hidden)).status_code == 404, hidden


async def test_page_assets_are_served_and_unknown_ones_are_not_found(api):
    script = await api.http.get("/assets/portal.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert (await api.http.get("/assets/nothing-here.js")).status_code == 404


async def test_a_portal_address_without_its_slash_is_sent_to_the_one_with_it(api):
    response = await api.http.get("/p/demo")
    assert response.status_code == 308
    assert response.headers["location"] == "/p/demo/"


MY_CLINIC = "{ myClinic { name timezone practitioners { name } } }"


async def test_my_clinic_names_the_clinic_of_a_staff_session(api):
    data = await api.data(MY_CLINIC, token=await staff_token(api, "northside"))
    assert data["myClinic"]["name"] == "Northside Salon"
    assert data["myClinic"]["timezone"] == "America/New_York"
    assert {p["name"] for p in data["myClinic"]["practitioners"]} == {"Casey Brooks", "Jordan Lee"}


async def test_my_clinic_is_null_for_clients_and_anonymous_callers(api):
    assert (await api.data(MY_CLINIC, token=await client_token(api)))["myClinic"] is None
    assert (await api.data(MY_CLINIC))["myClinic"] is None


async def test_the_consent_signing_link_opens_a_page_that_is_never_cached_nor_sent_on_as_a_referrer(api):
    response = await api.http.get("/p/demo/consent?token=not-a-real-token")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert '<script type="module" src="/assets/consent.js"></script>' in response.text
    assert (await api.http.get("/assets/consent.js")).status_code == 200


async def test_graphiql_is_a_page_of_the_apps_own_files_with_a_fresh_style_nonce_each_time(api):
    pages = [await api.http.get("/graphql", headers={"accept": "text/html"}) for _ in range(2)]
    nonces = []
    for response in pages:
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([0-9a-f]{32})'", policy).group(1)
        nonces.append(nonce)
        assert "script-src 'self';" in policy and "unsafe" not in policy and "http" not in policy
        assert "connect-src 'self'" in policy
        assert f'nonce="{nonce}"' in response.text
        assert "http" not in response.text  # no CDN, no other origin
        assert "style=" not in response.text and "<style" not in response.text
        sources = re.findall(r'(?:src|href)="(/[^"]+)"', response.text)
        assert {s.split("/")[1] for s in sources} == {"vendor", "assets"}
    assert nonces[0] != nonces[1]
    for source in sources:
        asset = await api.http.get(source)
        assert asset.status_code == 200, source
        assert asset.headers["content-type"].startswith(("text/javascript", "application/javascript", "text/css")), source
