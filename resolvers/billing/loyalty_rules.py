"""A loyalty programme's one rule and its promotion terms, as staff set
them: checked here, so every way in (create, update, the demo) refuses the
same bad input with the field at fault."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from tortoise.exceptions import IntegrityError

from models import LoyaltyKind, LoyaltyProgramme
from models.db import write_transaction
from resolvers.core import access
from resolvers.core import i18n
from resolvers.core import tenant
from resolvers.core.errors import invalid
from resolvers.core.money import two_places
from resolvers.core.principal import Principal

MAX_POINTS = 10_000  # points a single visit or step may earn
MAX_STEP = Decimal("100000")
MAX_TERMS = 5000
MAX_NAME = 200
RULE = "rule"


@dataclass(frozen=True)
class Rule:
    """Exactly the parts of one rule that the programme's kind uses."""

    points_per_visit: int | None = None
    points_per_amount: int | None = None
    amount_step: Decimal | None = None
    cashback_percent: Decimal | None = None
    discount_percent: int | None = None

    def columns(self) -> dict[str, Any]:
        return dict(self.__dict__)


NO_RULE = Rule()


def _points(value: int, name: str) -> int:
    if not 1 <= value <= MAX_POINTS:
        raise invalid(f"Give a whole number of points from 1 to {MAX_POINTS}.", [RULE, name])
    return value


def _percent(raw: str, name: str) -> Decimal:
    value = two_places(raw, [RULE, name], 'Give a percentage such as "5" or "2.5".')
    if not Decimal("0") < value <= Decimal("100"):
        raise invalid("A percentage is above 0 and at most 100.", [RULE, name])
    return value


def _step(raw: str) -> Decimal:
    value = two_places(raw, [RULE, "amountStep"], 'Give the amount such as "10.00".')
    if not Decimal("0") < value < MAX_STEP:
        raise invalid("The amount is above zero and below 100000.", [RULE, "amountStep"])
    return value


def _points_rule(sent: dict[str, Any]) -> Rule:
    per_visit, per_amount, step = sent.get("points_per_visit"), sent.get("points_per_amount"), sent.get("amount_step")
    if per_visit is not None and (per_amount is not None or step is not None):
        raise invalid("Earn points per visit or per amount spent, not both.", [RULE, "pointsPerAmount"])
    if per_visit is not None:
        return Rule(points_per_visit=_points(per_visit, "pointsPerVisit"))
    if per_amount is None and step is None:
        raise invalid("Say how many points a visit earns, or how many each amount spent earns.", [RULE, "pointsPerVisit"])
    if per_amount is None:
        raise invalid("Say how many points each amount spent earns.", [RULE, "pointsPerAmount"])
    if step is None:
        raise invalid("Say for which amount spent the points are earned.", [RULE, "amountStep"])
    return Rule(points_per_amount=_points(per_amount, "pointsPerAmount"), amount_step=_step(step))


# What each kind's rule is made of (camelCase: the input's own field names).
FIELDS_OF = {
    LoyaltyKind.POINTS: {"points_per_visit": "pointsPerVisit", "points_per_amount": "pointsPerAmount", "amount_step": "amountStep"},
    LoyaltyKind.CASHBACK: {"cashback_percent": "cashbackPercent"},
    LoyaltyKind.DISCOUNT: {"discount_percent": "discountPercent"},
}
ALL_FIELDS = {name: camel for fields in FIELDS_OF.values() for name, camel in fields.items()}


def checked_rule(kind: LoyaltyKind, sent: dict[str, Any]) -> Rule:
    """The rule of a programme of `kind` from the input's fields (those not
    sent are None); a field of another kind's rule is refused by name."""
    sent = {name: value for name, value in sent.items() if value is not None}
    for name in sent:
        if name not in FIELDS_OF[kind]:
            raise invalid(f"A {kind.value.lower()} programme has no {ALL_FIELDS.get(name, name)}.", [RULE, ALL_FIELDS.get(name, name)])
    if kind is LoyaltyKind.POINTS:
        return _points_rule(sent)
    if kind is LoyaltyKind.CASHBACK:
        if "cashback_percent" not in sent:
            raise invalid("Say what share of what is paid comes back.", [RULE, "cashbackPercent"])
        return Rule(cashback_percent=_percent(sent["cashback_percent"], "cashbackPercent"))
    percent = sent.get("discount_percent")
    if percent is None or not 1 <= percent <= 100:
        raise invalid("A discount programme needs a percentage from 1 to 100.", [RULE, "discountPercent"])
    return Rule(discount_percent=percent)


def checked_terms(raw: str | None) -> str | None:
    text = (raw or "").strip()
    if len(text) > MAX_TERMS:
        raise invalid(f"The terms have at most {MAX_TERMS} characters.", ["terms"])
    return text or None


def checked_name(raw: str) -> str:
    name = raw.strip()
    if not name or len(name) > MAX_NAME:
        raise invalid(f"Name the programme (at most {MAX_NAME} characters).", ["name"])
    return name


def rule_of(programme: LoyaltyProgramme) -> Rule:
    return Rule(**{name: getattr(programme, name) for name in ALL_FIELDS})


def earns(programme: LoyaltyProgramme) -> bool:
    """Whether completed visits credit the programme's cards."""
    if programme.kind is LoyaltyKind.POINTS:
        return bool(programme.points_per_visit or programme.points_per_amount)
    return programme.kind is LoyaltyKind.CASHBACK and programme.cashback_percent is not None


def _percent_text(value: Decimal | int, language: str) -> str:
    return format_decimal(Decimal(value).normalize(), locale=i18n.locale(language))


def describe(programme: LoyaltyProgramme, currency: str, language: str | None = None, country: str | None = None) -> str | None:
    """The rule in a sentence for the client, in their language (amounts
    and percentages written its way); None without a rule."""
    texts = i18n.translations(language)
    if programme.points_per_visit:
        points = programme.points_per_visit
        return texts.ngettext(
            "{points} point for every completed visit", "{points} points for every completed visit", points
        ).format(points=points)
    if programme.points_per_amount and programme.amount_step:
        points = programme.points_per_amount
        amount = i18n.money(programme.amount_step, currency, language, country)
        return texts.ngettext("{points} point for every {amount} paid", "{points} points for every {amount} paid", points).format(
            points=points, amount=amount
        )
    if programme.kind is LoyaltyKind.CASHBACK and programme.cashback_percent is not None:
        percent = _percent_text(programme.cashback_percent, language or i18n.SOURCE_LANGUAGE)
        return texts.gettext("{percent}% of what you pay back as cashback").format(percent=percent)
    if programme.kind is LoyaltyKind.DISCOUNT and programme.discount_percent:
        percent = _percent_text(programme.discount_percent, language or i18n.SOURCE_LANGUAGE)
        return texts.gettext("{percent}% off the price of every booking").format(percent=percent)
    return None


async def programmes(principal: Principal) -> list[LoyaltyProgramme]:
    clinic_id = access.require_admin(principal)
    return await LoyaltyProgramme.filter(clinic_id=clinic_id).order_by("created_at", "id")


async def create_programme(
    principal: Principal, name: str, kind: LoyaltyKind, sent_rule: dict[str, Any] | None, terms: str | None
) -> LoyaltyProgramme:
    """A points or cashback programme may start without a rule (cards then
    change only by hand); a discount programme always has its percentage."""
    clinic_id = access.require_admin(principal)
    name = checked_name(name)
    rule = checked_rule(kind, sent_rule or {}) if sent_rule or kind is LoyaltyKind.DISCOUNT else NO_RULE
    text = checked_terms(terms)
    try:
        async with write_transaction():
            return await LoyaltyProgramme.create(clinic_id=clinic_id, name=name, kind=kind, terms=text, **rule.columns())
    except IntegrityError:
        raise invalid("The clinic already has a programme of this name.", ["name"]) from None


async def update_programme(principal: Principal, programme_id: str, changes: dict[str, Any]) -> LoyaltyProgramme:
    """Name, rule and terms change; the kind stays (the cards hold its
    points or cashback). A new rule applies to visits settled from now on."""
    clinic_id = access.require_admin(principal)
    programme = await tenant.loyalty_programme(clinic_id, programme_id, ["id"])
    update: dict[str, Any] = {}
    if "name" in changes:
        update["name"] = checked_name(changes["name"] or "")
    if "rule" in changes:
        if changes["rule"] is None:
            if programme.kind is LoyaltyKind.DISCOUNT:
                raise invalid("A discount programme needs a percentage from 1 to 100.", [RULE, "discountPercent"])
            update.update(NO_RULE.columns())
        else:
            update.update(checked_rule(programme.kind, changes["rule"]).columns())
    if "terms" in changes:
        update["terms"] = checked_terms(changes["terms"])
    if update:
        try:
            async with write_transaction():
                await LoyaltyProgramme.filter(id=programme.id, clinic_id=clinic_id).update(**update)
        except IntegrityError:
            raise invalid("The clinic already has a programme of this name.", ["name"]) from None
    return await LoyaltyProgramme.get(id=programme.id, clinic_id=clinic_id)
