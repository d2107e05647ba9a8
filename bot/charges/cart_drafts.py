"""What a split cart must satisfy before anything is stored or sent, and how its messages see it.

Every vendor connected with charges enabled, each part's fee below the part under that
vendor's own policy, the customer known with a card, and, when the total needs approval, an
ops channel to ask in. The same checks run when the modal opens and when it is submitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charges.drafts import needs_approval
from bot.config import Settings
from bot.customers.checks import check_customer, check_vendor
from bot.money import FeePolicy, Money, format_money
from bot.money.carts import CartLine, cart_lines, cart_totals
from bot.refusal import Refusal
from bot.vendors.directory import fee_policy_for
from bot.views.cart import CartFacts, PartFacts
from bot.views.charge import card_label
from storage.models import Cart, Charge, Customer, Vendor
from storage.repos import carts


@dataclass(frozen=True)
class CartTerms:
    """The vendors and their parts with fees, in the order typed; before a customer is chosen."""

    vendors: tuple[Vendor, ...]
    lines: tuple[CartLine, ...]

    @property
    def total(self) -> Money:
        return cart_totals(self.lines).gross

    @property
    def fees(self) -> int:
        return cart_totals(self.lines).fees


@dataclass(frozen=True)
class CartDraft:
    terms: CartTerms
    customer: Customer
    description: str | None


def check_cart_terms(
    settings: Settings, parts: Sequence[tuple[str, Vendor | None, Money]]
) -> CartTerms | Refusal:
    """The parts (slack user, vendor row, amount) with fees, or the first refusal: a vendor not
    connected or without charges enabled, a fee not below its part, approval needed for the
    total but no ops channel to ask in."""
    vendors: list[Vendor] = []
    priced: list[tuple[str, Money, FeePolicy]] = []
    for user, vendor, money in parts:
        refusal = check_vendor(vendor)
        if refusal is not None:
            if vendor is None:
                return Refusal(
                    f"<@{user}> isn't a connected vendor yet. Send them a link with "
                    "`/connect-vendor @them` first."
                )
            return refusal
        assert vendor is not None
        policy = fee_policy_for(vendor, settings)
        if isinstance(policy, Refusal):
            return Refusal(f"<@{user}>'s part: {policy.message}")
        vendors.append(vendor)
        priced.append((f"<@{user}>", money, policy))
    lines = cart_lines(priced)
    if isinstance(lines, Refusal):
        return lines
    terms = CartTerms(tuple(vendors), lines)
    if needs_approval(settings, terms.total) and not settings.ops_channel_id:
        return Refusal(
            f"The cart's total {format_money(terms.total)} needs a second operator's approval, "
            "but no ops channel (OPS_CHANNEL_ID) is configured to ask in."
        )
    return terms


def check_cart_customer(
    terms: CartTerms, customer: Customer | None, email: str, description: str | None
) -> CartDraft | Refusal:
    """The draft, or why the customer can't be charged (unknown, no card, another workspace)."""
    refusal = check_customer(customer, email)
    if refusal is not None:
        return refusal
    assert customer is not None
    if any(customer.team_id != v.team_id for v in terms.vendors):
        return Refusal("That customer belongs to another workspace.")
    return CartDraft(terms, customer, description)


def customer_label(customer: Customer | None) -> str:
    """`jane@example.com (Visa •••• 4242)` as the cart's messages name the customer."""
    if customer is None:
        return "the customer"
    card = card_label(customer.card_brand, customer.card_last4)
    return f"{customer.email} ({card})" if card else customer.email


def part_facts(charge: Charge, vendor: Vendor) -> PartFacts:
    return PartFacts(
        charge_id=charge.id,
        vendor_user_id=vendor.slack_user_id,
        money=Money(charge.amount, charge.currency),
        fee=charge.application_fee_amount,
        status=charge.status,
        reason=charge.failure_message,
        payment_intent_id=charge.payment_intent_id,
        account=vendor.stripe_account_id,
        livemode=vendor.livemode,
    )


async def cart_facts(
    session: AsyncSession, cart: Cart, current: Sequence[Charge] | None = None
) -> CartFacts:
    """The cart with each part's current row, read in `session` (or `current`, the parts
    the caller has just read with `carts.current_parts`)."""
    parts = []
    if current is None:
        current = carts.current_parts(await carts.rows(session, cart.id))
    for charge in current:
        vendor = await session.get(Vendor, charge.vendor_id)
        assert vendor is not None  # a foreign key
        parts.append(part_facts(charge, vendor))
    customer = await session.get(Customer, cart.customer_id)
    return CartFacts(
        cart_id=cart.id,
        customer=customer_label(customer),
        requested_by=cart.requested_by,
        description=cart.description,
        parts=tuple(parts),
    )
