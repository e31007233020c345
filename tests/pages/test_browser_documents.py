"""What the portal shows of loyalty and of the documents a client agrees
to, in a real Chromium against a real server: the loyalty card's balance,
rule and terms; a discount card's price on the booking page; the privacy
policy and user agreement linked from the sign-in forms, in the page's
language; and a client who accepted an older version asked again."""

from __future__ import annotations

from resolvers.core import i18n
from tests.pages.test_browser import pick_time, sign_in
from tests.pages.test_browser_languages import said
from tests.support.browser import OWNER, Site, shot
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

CARDS = "{ me { loyaltyCards { programme points terms rule { description } } } }"
DOCUMENTS = '{ clinic(slug: "demo") { legalDocuments { kind version title body } } }'
TO_ACCEPT = "{ me { documentsToAccept { title } } }"
STAFF_SIGN_IN = 'mutation { staffSignIn(email: "%s", password: "%s") { session { token } } }' % OWNER
VIP = 'mutation { createLoyaltyProgramme(name: "VIP", kind: DISCOUNT, rule: { discountPercent: 20 }) { programme { id } } }'
ISSUE = "mutation($c: ID!, $p: ID!) { issueLoyaltyCard(clientId: $c, programmeId: $p) { userErrors { code } } }"
PRICES = '{ clinic(slug: "demo") { treatments { name price { amount currency } priceForMe { amount currency } } } }'


async def test_the_balances_show_the_loyalty_cards_balance_rule_and_terms(site: Site, new_page):
    [card] = (await site.gql(CARDS, token=await site.client_token()))["me"]["loyaltyCards"]
    page = await new_page()
    await sign_in(page, site)
    shown = page.locator("#balances li", has_text=card["programme"])
    await expect(shown).to_contain_text(f"{card['points']} points")
    await expect(shown.locator(".loyalty-rule")).to_contain_text(card["rule"]["description"])
    terms = shown.locator("details.loyalty-terms")
    await expect(terms.locator("p")).to_be_hidden()
    await terms.locator("summary").click()
    await expect(terms.locator("p")).to_have_text(card["terms"])
    await shot(page, "portal-loyalty")


async def test_a_discount_card_holder_is_quoted_and_booked_the_lower_price(site: Site, new_page):
    staff = (await site.gql(STAFF_SIGN_IN))["staffSignIn"]["session"]["token"]
    client = await site.client_token()
    programme = (await site.gql(VIP, token=staff))["createLoyaltyProgramme"]["programme"]["id"]
    client_id = (await site.gql("{ me { id } }", token=client))["me"]["id"]
    assert (await site.gql(ISSUE, {"c": client_id, "p": programme}, staff))["issueLoyaltyCard"]["userErrors"] == []
    consultation = next(t for t in (await site.gql(PRICES, token=client))["clinic"]["treatments"] if t["name"] == "Consultation")
    assert consultation["priceForMe"] != consultation["price"]
    amount = f"£{consultation['priceForMe']['amount']}"

    page = await new_page()
    await sign_in(page, site)
    await page.get_by_role("button", name="Book Now").click()
    await expect(page.get_by_label("Full name")).to_have_value("Jamie Client")
    option = page.locator("#treatment option", has_text="Consultation")
    await expect(option).to_contain_text(amount)
    await expect(option).not_to_contain_text(f"£{consultation['price']['amount']}")
    await page.get_by_label("Treatment").select_option(await option.get_attribute("value"))
    await pick_time(page)
    await expect(page.locator("#summary")).to_contain_text(amount)
    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.locator("#done-what")).to_contain_text(amount)  # the price recorded, as answered
    await shot(page, "booking-discount")


async def test_the_sign_in_form_links_the_current_documents(site: Site, new_page):
    documents = (await site.gql(DOCUMENTS))["clinic"]["legalDocuments"]
    page = await new_page()
    await page.goto(f"{site.url}/p/demo/")
    links = page.locator("#documents-links")
    await expect(links).to_be_visible()
    for document in documents:
        await expect(links.get_by_role("link", name=document["title"])).to_be_visible()
    # The phone sign-in's consent names the same documents.
    consent = page.locator("#accept-terms-text")
    for document in documents:
        await expect(consent.get_by_role("link", name=document["title"])).to_have_count(1)
    await shot(page, "portal-sign-in-documents")

    policy = next(d for d in documents if d["kind"] == "PRIVACY_POLICY")
    async with page.context.expect_page() as opened:
        await links.get_by_role("link", name=policy["title"]).click()
    reader = await opened.value
    section = reader.locator(f"#{policy['kind']}")
    await expect(section.get_by_role("heading", name=policy["title"])).to_be_focused()
    await expect(section).to_contain_text(f"Version {policy['version']}")
    await expect(section.locator("p.prewrap")).to_have_text(policy["body"])
    await expect(reader.locator("#documents section")).to_have_count(len(documents))
    await shot(reader, "documents")


async def test_a_client_who_accepted_an_older_version_is_asked_again_until_they_accept(site: Site, new_page):
    pending = (await site.gql(TO_ACCEPT, token=await site.client_token()))["me"]["documentsToAccept"]
    assert pending, "the demo client has a newer version to accept"
    page = await new_page()
    await sign_in(page, site)
    ask = page.locator("#accept-documents")
    await expect(ask).to_be_visible()
    for document in pending:
        await expect(ask.get_by_role("link", name=document["title"])).to_be_visible()
    await shot(page, "portal-accept-documents")
    await ask.get_by_role("button", name="I accept").click()
    await expect(ask).to_be_hidden()
    await expect(page.locator("#message")).to_contain_text("your agreement is recorded")
    assert (await site.gql(TO_ACCEPT, token=await site.client_token()))["me"]["documentsToAccept"] == []

    await page.reload()
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_be_visible()
    await expect(page.locator("#balances")).to_be_visible()  # the page has finished asking the server
    await expect(ask).to_be_hidden()


async def test_the_documents_and_their_links_read_in_the_pages_language(site: Site, new_page):
    documents = (await site.gql(DOCUMENTS))["clinic"]["legalDocuments"]
    titles = {d["kind"]: i18n.gettext("de", d["title"]) for d in documents}  # the demo's are the default titles
    assert all(titles[d["kind"]] != d["title"] for d in documents)
    page = await new_page(locale="de-DE")
    await page.goto(f"{site.url}/p/demo/")
    links = page.locator("#documents-links")
    await expect(links).to_contain_text(said("de", "By signing in you agree to {documents}.").split("{documents}")[0])
    for title in titles.values():
        await expect(links.get_by_role("link", name=title)).to_be_visible()
    await expect(page.locator("#accept-terms-text")).to_contain_text(said("de", "I accept {documents}").split("{documents}")[0])

    policy = next(d for d in documents if d["kind"] == "PRIVACY_POLICY")
    async with page.context.expect_page() as opened:
        await links.get_by_role("link", name=titles["PRIVACY_POLICY"]).click()
    reader = await opened.value
    section = reader.locator("#PRIVACY_POLICY")
    await expect(section.get_by_role("heading", name=titles["PRIVACY_POLICY"])).to_be_focused()
    published = said("de", "Version {version}, published {date}").split("{date}")[0].format(version=policy["version"])
    await expect(section.locator("p.small")).to_contain_text(published)
    await expect(reader.get_by_label(said("de", "Language"))).to_have_value("de")
    await shot(reader, "documents-de")
