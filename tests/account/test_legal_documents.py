"""The privacy policy and user agreement: staff publish versions, the
public reads the current ones, phone sign-in records the versions
accepted, and a client is asked again after a new version. Over GraphQL,
on both databases."""

from __future__ import annotations

from models import AcceptedVia, LegalAcceptance, LegalDocument, LegalDocumentKind
from resolvers.core import i18n
from tests.account.test_phone_sign_in import last_code, request_code, sms, verify  # noqa: F401  (sms: a fixture)
from tests.conftest import client_token, staff_token

DOCUMENT = "id kind version title body publishedAt"
CURRENT = f"query($s: String!) {{ clinic(slug: $s) {{ privacyPolicyVersion legalDocuments {{ {DOCUMENT} }} }} }}"
ONE = (
    "query($s: String!, $k: LegalDocumentKind!, $v: Int) {"
    f" legalDocument(clinicSlug: $s, kind: $k, version: $v) {{ {DOCUMENT} }} }}"
)
PUBLISH = (
    "mutation($k: LegalDocumentKind!, $b: String!, $t: String) { publishLegalDocument(kind: $k, body: $b, title: $t) {"
    f" document {{ {DOCUMENT} }} userErrors {{ code field message }} }} }}"
)
ACCEPT = (
    "mutation($ids: [ID!]!) { acceptLegalDocuments(documentIds: $ids) {"
    " documentsToAccept { id kind version } userErrors { code field message } } }"
)
TO_ACCEPT = "{ me { documentsToAccept { id kind version title } } }"


async def current(api, slug: str = "demo") -> dict:
    return (await api.data(CURRENT, {"s": slug}))["clinic"]


async def to_accept(api, token: str) -> list[dict]:
    return (await api.data(TO_ACCEPT, token=token))["me"]["documentsToAccept"]


def user_errors(payload: dict) -> list[tuple]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def test_the_public_reads_the_current_versions_and_any_older_one(api, demo):
    clinic_id = demo["demo"].clinic.id
    shown = await current(api)
    newest = {}
    for row in await LegalDocument.filter(clinic_id=clinic_id).order_by("version"):
        newest[row.kind] = row
    assert [(d["kind"], d["version"], d["body"]) for d in shown["legalDocuments"]] == [
        (kind.value, newest[kind].version, newest[kind].body) for kind in LegalDocumentKind if kind in newest
    ]
    policy = newest[LegalDocumentKind.PRIVACY_POLICY]
    assert policy.version > 1  # the demo has superseded its first version
    older = (await api.data(ONE, {"s": "demo", "k": "PRIVACY_POLICY", "v": policy.version - 1}))["legalDocument"]
    assert older["version"] == policy.version - 1 and older["body"] != policy.body
    assert (await api.data(ONE, {"s": "demo", "k": "PRIVACY_POLICY"}))["legalDocument"]["id"] == str(policy.id)
    assert (await api.data(ONE, {"s": "demo", "k": "PRIVACY_POLICY", "v": 99}))["legalDocument"] is None
    assert (await api.data(ONE, {"s": "nowhere", "k": "PRIVACY_POLICY"}))["legalDocument"] is None
    assert (await api.data(ONE, {"s": "x" * 500, "k": "PRIVACY_POLICY"}))["legalDocument"] is None


async def test_a_default_title_reads_in_the_language_of_the_page_and_a_clinics_own_title_as_written(api, demo):
    staff = await staff_token(api)
    own = {"k": "USER_AGREEMENT", "b": "Be kind.", "t": "House Rules"}
    assert (await api.data(PUBLISH, own, staff))["publishLegalDocument"]["userErrors"] == []

    async def titles(language: str) -> dict:
        response = await api.http.post("/graphql", json={"query": CURRENT, "variables": {"s": "demo"}}, headers={"accept-language": language})
        return {d["kind"]: d["title"] for d in response.json()["data"]["clinic"]["legalDocuments"]}

    assert await titles("en") == {"PRIVACY_POLICY": "Privacy Policy", "USER_AGREEMENT": "House Rules"}
    french = await titles("fr-FR,fr;q=0.9")
    assert french["PRIVACY_POLICY"] == i18n.gettext("fr", "Privacy Policy") != "Privacy Policy"
    assert french["USER_AGREEMENT"] == "House Rules"


async def test_staff_publish_a_new_version_that_supersedes_and_keeps_the_old_one(api, demo):
    staff = await staff_token(api)
    before = await current(api)
    agreement = next(d for d in before["legalDocuments"] if d["kind"] == "USER_AGREEMENT")
    published = (await api.data(PUBLISH, {"k": "USER_AGREEMENT", "b": "  Be kind to the staff.  "}, staff))["publishLegalDocument"]
    assert published["userErrors"] == []
    document = published["document"]
    assert (document["version"], document["body"], document["title"]) == (agreement["version"] + 1, "Be kind to the staff.", "User Agreement")
    after = await current(api)
    assert [d["id"] for d in after["legalDocuments"] if d["kind"] == "USER_AGREEMENT"] == [document["id"]]
    assert after["privacyPolicyVersion"] != before["privacyPolicyVersion"]
    kept = (await api.data(ONE, {"s": "demo", "k": "USER_AGREEMENT", "v": agreement["version"]}))["legalDocument"]
    assert kept["body"] == agreement["body"]
    assert all(d["body"] != "Be kind to the staff." for d in (await current(api, "northside"))["legalDocuments"])

    assert user_errors((await api.data(PUBLISH, {"k": "PRIVACY_POLICY", "b": "   "}, staff))["publishLegalDocument"]) == [
        ("INVALID_INPUT", ["body"])
    ]
    long_title = {"k": "PRIVACY_POLICY", "b": "Text", "t": "T" * 201}
    assert user_errors((await api.data(PUBLISH, long_title, staff))["publishLegalDocument"]) == [("INVALID_INPUT", ["title"])]
    by_client = (await api.data(PUBLISH, {"k": "PRIVACY_POLICY", "b": "Mine"}, await client_token(api)))["publishLegalDocument"]
    assert [c for c, _ in user_errors(by_client)] == ["UNAUTHENTICATED"]
    assert (await current(api))["legalDocuments"] == after["legalDocuments"]


async def test_a_client_who_accepted_an_older_version_is_asked_again_and_accepts_the_current_one(api, demo):
    client, staff = await client_token(api), await staff_token(api)
    asked = await to_accept(api, client)
    policy = next(d for d in (await current(api))["legalDocuments"] if d["kind"] == "PRIVACY_POLICY")
    assert [(d["id"], d["kind"]) for d in asked] == [(policy["id"], "PRIVACY_POLICY")]  # the seed accepted version 1 only

    old = await LegalDocument.get(clinic_id=demo["demo"].clinic.id, kind=LegalDocumentKind.PRIVACY_POLICY, version=1)
    superseded = (await api.data(ACCEPT, {"ids": [str(old.id)]}, client))["acceptLegalDocuments"]
    assert user_errors(superseded) == [("INVALID_INPUT", ["documentIds"])]
    northside_doc = (await current(api, "northside"))["legalDocuments"][0]["id"]
    foreign = (await api.data(ACCEPT, {"ids": [northside_doc]}, client))["acceptLegalDocuments"]
    assert user_errors(foreign) == [("NOT_FOUND", ["documentIds"])]
    assert user_errors((await api.data(ACCEPT, {"ids": []}, client))["acceptLegalDocuments"]) == [("INVALID_INPUT", ["documentIds"])]
    anonymous = (await api.data(ACCEPT, {"ids": [policy["id"]]}))["acceptLegalDocuments"]
    assert [c for c, _ in user_errors(anonymous)] == ["UNAUTHENTICATED"]
    assert len(await to_accept(api, client)) == 1  # nothing above was recorded

    accepted = (await api.data(ACCEPT, {"ids": [policy["id"]]}, client))["acceptLegalDocuments"]
    assert accepted == {"documentsToAccept": [], "userErrors": []}
    again = (await api.data(ACCEPT, {"ids": [policy["id"]]}, client))["acceptLegalDocuments"]
    assert again == {"documentsToAccept": [], "userErrors": []}
    assert await LegalAcceptance.filter(client_id=demo["demo"].client.id, document_id=policy["id"]).count() == 1

    published = (await api.data(PUBLISH, {"k": "USER_AGREEMENT", "b": "New rules."}, staff))["publishLegalDocument"]
    assert [(d["id"], d["kind"]) for d in await to_accept(api, client)] == [(published["document"]["id"], "USER_AGREEMENT")]


async def test_phone_sign_in_records_the_versions_current_when_the_terms_were_accepted(api, demo, sms):
    phone = "+447700900777"
    assert (await request_code(api, phone))["sent"] is True
    staff = await staff_token(api)
    # Published after the person accepted the terms: not accepted by them.
    newer = (await api.data(PUBLISH, {"k": "USER_AGREEMENT", "b": "Changed meanwhile."}, staff))["publishLegalDocument"]
    token = (await verify(api, await last_code(phone), phone, "New Client"))["session"]["token"]
    pending = await to_accept(api, token)
    assert [(d["id"], d["kind"]) for d in pending] == [(newer["document"]["id"], "USER_AGREEMENT")]
    rows = await LegalAcceptance.filter(client__phone=phone).prefetch_related("document")
    assert {(r.document.kind, r.via) for r in rows} == {
        (LegalDocumentKind.PRIVACY_POLICY, AcceptedVia.PHONE_SIGN_IN),
        (LegalDocumentKind.USER_AGREEMENT, AcceptedVia.PHONE_SIGN_IN),
    }
    assert newer["document"]["id"] not in {str(r.document_id) for r in rows}

    # Signing in again, with the current versions accepted, leaves nothing to ask.
    assert (await request_code(api, phone))["sent"] is True
    token = (await verify(api, await last_code(phone), phone))["session"]["token"]
    assert await to_accept(api, token) == []


async def test_a_merge_keeps_what_either_record_accepted(api, demo):
    d = demo["demo"]
    keep = await staff_created_client(api)
    policy = await LegalDocument.filter(clinic_id=d.clinic.id, kind=LegalDocumentKind.PRIVACY_POLICY).order_by("-version").first()
    agreement = await LegalDocument.filter(clinic_id=d.clinic.id, kind=LegalDocumentKind.USER_AGREEMENT).order_by("-version").first()
    first_policy = await LegalDocument.get(clinic_id=d.clinic.id, kind=LegalDocumentKind.PRIVACY_POLICY, version=1)
    for document in (policy, agreement):  # the agreement both records accepted
        await LegalAcceptance.create(clinic=d.clinic, client_id=keep, document=document, via=AcceptedVia.PORTAL)
    merge = "mutation($k: ID!, $d: ID!) { mergeClients(keepId: $k, duplicateId: $d) { userErrors { code } } }"
    merged = (await api.data(merge, {"k": str(keep), "d": str(d.client.id)}, await staff_token(api)))["mergeClients"]
    assert merged["userErrors"] == []
    # The kept record signs in with the duplicate's e-mail and has nothing left to accept.
    assert await to_accept(api, await client_token(api)) == []
    held = await LegalAcceptance.filter(client_id=keep).values_list("document_id", flat=True)
    assert sorted(map(str, held)) == sorted(str(doc.id) for doc in (policy, agreement, first_policy))


async def staff_created_client(api):
    create = 'mutation { createClient(input: { fullName: "Kept Record" }) { client { id } userErrors { code } } }'
    return (await api.data(create, None, await staff_token(api)))["createClient"]["client"]["id"]
