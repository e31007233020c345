"""Partner access: API keys and webhook endpoints, kept by the clinic's
administrators. Raw keys and webhook secrets are returned once."""

from __future__ import annotations

import strawberry

from resolvers.admin import api_keys
from resolvers.notifications import webhooks
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.inputs import provided
from schema.types.admin import ApiKey, ApiScope, WebhookEndpoint, WebhookEvent

UNSET = strawberry.UNSET


@strawberry.type
class CreateApiKeyPayload(Payload):
    api_key: ApiKey | None = None
    key: str | None = strawberry.field(default=None, description="The key itself: shown this once, never again.")


@strawberry.type
class ApiKeyPayload(Payload):
    api_key: ApiKey | None = None


@strawberry.type
class CreateWebhookEndpointPayload(Payload):
    webhook_endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(
        default=None, description="Signs every delivery: shown this once, never again."
    )


@strawberry.type
class WebhookEndpointPayload(Payload):
    webhook_endpoint: WebhookEndpoint | None = None


@strawberry.type
class DeleteWebhookEndpointPayload(Payload):
    deleted_id: strawberry.ID | None = None


@strawberry.input
class WebhookEndpointInput:
    url: str | None = UNSET
    events: list[WebhookEvent] | None = UNSET
    description: str | None = UNSET
    active: bool | None = UNSET


async def _created_key(work) -> dict:
    issued = await work
    return {"api_key": ApiKey(model=issued.credential), "key": issued.key}


async def _key(work) -> dict:
    return {"api_key": ApiKey(model=await work)}


async def _created_endpoint(work) -> dict:
    created = await work
    return {"webhook_endpoint": WebhookEndpoint(model=created.endpoint), "secret": created.secret}


async def _endpoint(work) -> dict:
    return {"webhook_endpoint": WebhookEndpoint(model=await work)}


async def _deleted(work, ident: strawberry.ID) -> dict:
    await work
    return {"deleted_id": ident}


def _event_names(data: WebhookEndpointInput) -> dict:
    changes = provided(data)
    if changes.get("events") is not None:
        changes["events"] = [e.value for e in changes["events"]]
    return changes


@strawberry.type
class PartnerMutations:
    @strawberry.mutation(description="Admin: a partner API key with these scopes.")
    async def create_api_key(
        self,
        info: Info,
        scopes: list[ApiScope],
        name: str | None = None,
        rate_limit_per_minute: int | None = None,
    ) -> CreateApiKeyPayload:
        work = api_keys.create_api_key(info.context.principal, [s.value for s in scopes], name, rate_limit_per_minute)
        return await payload(CreateApiKeyPayload, _created_key(work))

    @strawberry.mutation(description="Admin: the key stops working at once.")
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyPayload:
        return await payload(ApiKeyPayload, _key(api_keys.revoke_api_key(info.context.principal, id)))

    @strawberry.mutation(description="Admin: signed appointment events POSTed to `url` (https).")
    async def create_webhook_endpoint(
        self, info: Info, url: str, events: list[WebhookEvent], description: str | None = None
    ) -> CreateWebhookEndpointPayload:
        work = webhooks.create_webhook_endpoint(info.context.runtime.settings, info.context.principal, url, [e.value for e in events], description)
        return await payload(CreateWebhookEndpointPayload, _created_endpoint(work))

    @strawberry.mutation(description="Admin.")
    async def update_webhook_endpoint(
        self, info: Info, id: strawberry.ID, input: WebhookEndpointInput
    ) -> WebhookEndpointPayload:
        work = webhooks.update_webhook_endpoint(info.context.runtime.settings, info.context.principal, id, _event_names(input))
        return await payload(WebhookEndpointPayload, _endpoint(work))

    @strawberry.mutation(description="Admin: a new signing secret, shown once; the old one stops being used.")
    async def rotate_webhook_secret(self, info: Info, id: strawberry.ID) -> CreateWebhookEndpointPayload:
        work = webhooks.rotate_webhook_secret(info.context.principal, id)
        return await payload(CreateWebhookEndpointPayload, _created_endpoint(work))

    @strawberry.mutation(description="Admin.")
    async def delete_webhook_endpoint(self, info: Info, id: strawberry.ID) -> DeleteWebhookEndpointPayload:
        work = webhooks.delete_webhook_endpoint(info.context.principal, id)
        return await payload(DeleteWebhookEndpointPayload, _deleted(work, id))
