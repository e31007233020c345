"""Which operations go over which transport: subscriptions over the
websocket only. strawberry would run one sent over HTTP (a transport this
server does not speak for them) as if it were a query, and answer a
confusing null."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from starlette.requests import Request
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

MESSAGE = "Subscriptions are served over the websocket at /graphql (graphql-transport-ws), not over HTTP."


class SubscriptionsOverWebsocket(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        over_http = isinstance(getattr(context.context, "request", None), Request)
        # No errors yet: None, or [] when an earlier extension found the document validated before.
        if over_http and not context.pre_execution_errors and context.operation_type is OperationType.SUBSCRIPTION:
            # Set before validation runs, so nothing executes.
            context.pre_execution_errors = [GraphQLError(MESSAGE, extensions={"code": "BAD_REQUEST"})]
        yield
