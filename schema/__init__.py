"""The GraphQL surface: types, inputs, payloads, and the Schema with its
limits."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache
from strawberry.schema.config import StrawberryConfig

from schema.errors import CodedErrors, code_errors
from schema.observability import ObservedOperations, report_errors
from schema.tracing import tracing_extension
from schema.live_executor import LiveExecutor
from schema.limits import MaxAliases, MaxDepth
from schema.text import StorableText
from schema.validated import ValidatedDocuments
from schema.transports import SubscriptionsOverWebsocket
from schema.types.common import resolve_field
from schema.admin_query import AdminQueries
from schema.mutations.account import AccountMutations
from schema.mutations.auth import AuthMutations
from schema.mutations.balances import BalanceMutations
from schema.mutations.booking import BookingMutations
from schema.mutations.clinic_admin import ClinicAdminMutations
from schema.mutations.clinic_signup import ClinicSignUpMutations
from schema.mutations.consent import ConsentMutations
from schema.mutations.legal import LegalMutations
from schema.mutations.holds import HoldMutations
from schema.mutations.waitlist import WaitlistMutations, WaitlistQueries
from schema.mutations.messaging import MessagingMutations
from schema.mutations.notifications import NotificationMutations
from schema.mutations.partners import PartnerMutations
from schema.mutations.payments import PaymentMutations
from schema.mutations.prefill import PrefillMutations
from schema.mutations.series import SeriesMutations
from schema.mutations.staff_desk import StaffDeskMutations
from schema.query import Query as PortalQuery
from schema.subscription import Subscription
from settings import Settings


@strawberry.type
class Query(PortalQuery, AdminQueries, WaitlistQueries):
    pass


@strawberry.type
class Mutation(
    AuthMutations,
    PrefillMutations,
    BookingMutations,
    SeriesMutations,
    HoldMutations,
    WaitlistMutations,
    AccountMutations,
    BalanceMutations,
    NotificationMutations,
    ConsentMutations,
    MessagingMutations,
    ClinicSignUpMutations,
    ClinicAdminMutations,
    StaffDeskMutations,
    PartnerMutations,
    PaymentMutations,
    LegalMutations,
):
    pass


class ClinicSchema(strawberry.Schema):
    """`code_errors` codes and masks the errors of results made outside
    strawberry's own pipeline (live events, schema/live_transport.py) as
    the extensions do for every other result."""

    def __init__(self, *args: Any, code_errors: Callable[[list[GraphQLError]], list[GraphQLError]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code_errors = code_errors

    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        """Strawberry logs every error with its traceback; here an expected
        one is one INFO line (schema/observability.py)."""
        report_errors(errors, execution_context)


def _introspection(ignore) -> bool:
    return ignore.field_name.startswith("__")


def build_schema(settings: Settings, tracer_provider: Any = None) -> strawberry.Schema:
    """With `tracer_provider` (an OpenTelemetry SDK provider, web/tracing.py)
    every operation is traced through it."""
    return ClinicSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(disable_field_suggestions=settings.production, default_resolver=resolve_field),
        extensions=[
            # One parsed document per distinct query text: a thousand calendars
            # subscribed with the same document share it.
            partial(ParserCache, maxsize=256),
            partial(MaxDepth, max_depth=settings.max_query_depth, should_ignore=_introspection),
            partial(MaxAliases, max_alias_count=settings.max_aliases),
            partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
            # After the limits: it validates with the rules they add.
            ValidatedDocuments,
            StorableText,
            SubscriptionsOverWebsocket,
            ObservedOperations,
            partial(CodedErrors, mask=settings.production),
            *([tracing_extension(tracer_provider)] if tracer_provider is not None else []),
        ],
        execution_context_class=LiveExecutor,
        code_errors=partial(code_errors, mask=settings.production),
    )
