"""GraphiQL in a real Chromium whose network reaches only the app: every
script, style and font it needs is served by the app itself."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.support.browser import DESKTOP
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

QUERY = '{ clinic(slug: "demo") { name } }'


async def only_the_app(page, origin: str) -> list[str]:
    """Aborts every request for another origin, and lists them."""
    elsewhere: list[str] = []

    async def route(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" == origin:
            return await route.continue_()
        elsewhere.append(url)
        await route.abort("internetdisconnected")

    await page.context.route("**/*", route)
    page.on("websocket", lambda ws: not ws.url.startswith(origin.replace("http", "ws", 1)) and elsewhere.append(ws.url))
    return elsewhere


async def test_graphiql_loads_and_runs_a_query_with_the_network_restricted_to_the_app(site, new_page):
    page = await new_page(DESKTOP)
    elsewhere = await only_the_app(page, site.url)
    response = await page.goto(f"{site.url}/graphql")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "http" not in policy

    editor = page.locator(".graphiql-query-editor .CodeMirror")
    await expect(editor).to_be_visible()
    await editor.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(QUERY)
    await page.get_by_role("button", name=re.compile("Execute query")).click()
    await expect(page.locator(".graphiql-response")).to_contain_text('"name": "Demo Skin Clinic"')

    # The schema's documentation, and a dialog (whose <style> needs the
    # page's nonce: without it the browser reports a CSP violation).
    await page.get_by_role("button", name="Show Documentation Explorer").click()
    await expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Query")
    await page.get_by_role("button", name="Open settings dialog").click()
    await expect(page.get_by_role("dialog")).to_contain_text("Settings")
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)
    assert elsewhere == []
