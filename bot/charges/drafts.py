"""What a charge request must satisfy before anything is stored or sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.customers.checks import check_customer, check_vendor
from bot.money import Money, application_fee, describe_fee_split, format_money
from bot.refusal import Refusal
from bot.vendors.directory import fee_policy_for
from bot.views.charge import card_label
from bot.views.charge_messages import ChargeFacts
from storage.models import Charge, Customer, Vendor


@dataclass(frozen=True)
class ChargeDraft:
    """A charge that passed every check that needs no Stripe call."""

    vendor: Vendor
    customer: Customer
    money: Money
    fee: int
    description: str | None


@dataclass(frozen=True)
class ChargeTerms:
    """What a charge of `money` through `vendor` would cost, before a customer is chosen."""

    vendor: Vendor
    money: Money
    fee: int


def platform_fee(vendor: Vendor, settings: Settings, money: Money) -> int | Refusal:
    """The application fee for `money` under the vendor's policy; refused when ≥ the amount."""
    policy = fee_policy_for(vendor, settings)
    if isinstance(policy, Refusal):
        return policy
    return application_fee(money, policy)


def needs_approval(settings: Settings, money: Money) -> bool:
    """Above APPROVAL_THRESHOLD (minor units, compared in the charge's own currency)."""
    threshold = settings.approval_threshold
    return threshold is not None and money.amount > threshold


def fee_preview(settings: Settings, money: Money, fee: int) -> str:
    """`platform fee €10.00 · vendor receives €90.00 before Stripe fees` (+ approval note)."""
    preview = describe_fee_split(money, fee)
    if needs_approval(settings, money):
        preview += " · needs a second operator's approval"
    return preview


def previewed(money: Money, fee: int) -> dict[str, Any]:
    """What a fee preview showed, kept in the modal's private_metadata as `shown`: a submission
    whose amount, currency or fee differs was not what the operator saw."""
    return {"amount": money.amount, "currency": money.currency, "fee": fee}


def check_terms(
    settings: Settings, *, vendor: Vendor | None, money: Money
) -> ChargeTerms | Refusal:
    """The fee of `money` through `vendor`, or the first refusal: vendor not connected or
    charges disabled (`field` vendor), a fee not below the amount, approval needed but no ops
    channel to ask in (`field` amount)."""
    refusal = check_vendor(vendor)
    if refusal is not None:
        return Refusal(refusal.message, field="vendor")
    assert vendor is not None
    return _terms(settings, vendor, money)


def check_draft(
    settings: Settings,
    *,
    vendor: Vendor | None,
    customer: Customer | None,
    money: Money,
    description: str | None,
    customer_email: str = "",
) -> ChargeDraft | Refusal:
    """The draft, or the first refusal, its `field` naming what it is about: `check_terms`'s,
    and a customer unknown, without a card or of another workspace (`field` customer)."""
    refusal = check_vendor(vendor)
    if refusal is not None:
        return Refusal(refusal.message, field="vendor")
    assert vendor is not None
    refusal = check_customer(customer, customer_email)
    if refusal is not None:
        return Refusal(refusal.message, field="customer")
    assert customer is not None
    if customer.team_id != vendor.team_id:
        return Refusal("That customer belongs to another workspace.", field="customer")
    terms = _terms(settings, vendor, money)
    if isinstance(terms, Refusal):
        return terms
    return ChargeDraft(vendor, customer, money, terms.fee, description)


def _terms(settings: Settings, vendor: Vendor, money: Money) -> ChargeTerms | Refusal:
    fee = platform_fee(vendor, settings, money)
    if isinstance(fee, Refusal):
        return Refusal(fee.message, field="amount")
    if needs_approval(settings, money) and not settings.ops_channel_id:
        return Refusal(
            f"{format_money(money)} needs a second operator's approval, but no ops channel "
            "(OPS_CHANNEL_ID) is configured to ask in.",
            field="amount",
        )
    return ChargeTerms(vendor, money, fee)


def facts_of(charge: Charge, vendor: Vendor, customer: Customer | None) -> ChargeFacts:
    """The charge as its messages describe it."""
    return ChargeFacts(
        charge_id=charge.id,
        vendor_user_id=vendor.slack_user_id,
        money=Money(charge.amount, charge.currency),
        fee=charge.application_fee_amount,
        customer_email=customer.email if customer else None,
        card=card_label(customer.card_brand, customer.card_last4) if customer else None,
        requested_by=charge.requested_by,
        description=charge.description,
        payment_intent_id=charge.payment_intent_id,
        account=vendor.stripe_account_id,
        livemode=vendor.livemode,
    )


async def load_facts(session: AsyncSession, charge: Charge) -> tuple[Vendor, ChargeFacts]:
    """The charge's vendor and its facts, read in `session`."""
    vendor = await session.get(Vendor, charge.vendor_id)
    assert vendor is not None  # a foreign key
    customer = await session.get(Customer, charge.customer_id) if charge.customer_id else None
    return vendor, facts_of(charge, vendor, customer)
