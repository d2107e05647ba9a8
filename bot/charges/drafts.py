"""What a charge request must satisfy before anything is stored or sent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.customers.checks import check_customer, check_vendor
from bot.money import (
    FeePolicy,
    Money,
    Refusal,
    application_fee,
    describe_fee_split,
    format_money,
    make_fee_policy,
)
from bot.views.charge import ChargeFacts, card_label
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
class Problem:
    """A refusal tied to the modal field it is about (`vendor`, `amount`, `customer`, …)."""

    field: str
    message: str


def fee_policy_for(vendor: Vendor, settings: Settings) -> FeePolicy | Refusal:
    """The vendor's own fee when an admin set one, else APPLICATION_FEE_PERCENT / _FIXED."""
    if vendor.fee_percent is not None or vendor.fee_fixed is not None:
        return make_fee_policy(
            _stored_percent(vendor.fee_percent) if vendor.fee_percent is not None else 0,
            vendor.fee_fixed or 0,
            vendor.fee_currency or settings.default_currency,
        )
    return make_fee_policy(
        settings.application_fee_percent,
        settings.application_fee_fixed,
        settings.default_currency,
    )


def _stored_percent(value: Decimal) -> Decimal:
    """The percent as the admin typed it: the column keeps three decimals (2.9 comes back as
    2.900), and the fee policy refuses more than two, so trailing zeros are dropped."""
    return Decimal(format(value.normalize(), "f"))


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


def check_draft(
    settings: Settings,
    *,
    vendor: Vendor | None,
    customer: Customer | None,
    money: Money,
    description: str | None,
    customer_email: str = "",
    customer_required: bool = True,
) -> ChargeDraft | Problem | int:
    """The draft, or the first problem: vendor not connected or charges disabled, customer
    unknown or without a card, a fee not below the amount, approval needed but no ops channel.

    With `customer_required=False` and no customer (the modal's picker chooses one later) the
    other checks still run and the fee is returned instead of a draft.
    """
    refusal = check_vendor(vendor)
    if refusal is not None:
        return Problem("vendor", refusal.message)
    assert vendor is not None
    if customer is not None or customer_required:
        refusal = check_customer(customer, customer_email)
        if refusal is not None:
            return Problem("customer", refusal.message)
        assert customer is not None
        if customer.team_id != vendor.team_id:
            return Problem("customer", "That customer belongs to another workspace.")
    fee = platform_fee(vendor, settings, money)
    if isinstance(fee, Refusal):
        return Problem("amount", fee.message)
    if needs_approval(settings, money) and not settings.ops_channel_id:
        return Problem(
            "amount",
            f"{format_money(money)} needs a second operator's approval, but no ops channel "
            "(OPS_CHANNEL_ID) is configured to ask in.",
        )
    if customer is None:
        return fee
    return ChargeDraft(vendor, customer, money, fee, description)


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
    )


async def load_facts(session: AsyncSession, charge: Charge) -> tuple[Vendor, ChargeFacts]:
    """The charge's vendor and its facts, read in `session`."""
    vendor = await session.get(Vendor, charge.vendor_id)
    assert vendor is not None  # a foreign key
    customer = await session.get(Customer, charge.customer_id) if charge.customer_id else None
    return vendor, facts_of(charge, vendor, customer)
