"""Sharing a customer with a vendor: the customer and a clone of their card on the vendor's
Stripe account.

Progress is stored after each Stripe step, and each step's idempotency key derives from
(platform customer, vendor account, source card), so a retry after a failure halfway completes
the share instead of duplicating it. No transaction is held open across a Stripe call: SQLite
has one writer, and a slow Stripe must not stall every other write.
"""

from __future__ import annotations

from dataclasses import dataclass

import stripe

from bot.customers.cards import card_on_file
from bot.customers.checks import check_customer, check_vendor, stripe_refusal
from bot.notifications.routing import announce
from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.client import StripeConnection
from bot.stripe_ops.customers import (
    ShareRequest,
    clone_card,
    create_vendor_customer,
    make_default_card,
)
from bot.views.customers import shared_message
from storage.models import Customer, SharedCustomer, Vendor
from storage.repos import audit, vendors
from storage.repos import customers as repo


async def share_customer(
    services: Services, *, customer_id: int, vendor_id: int, actor: str = "connectbot"
) -> SharedCustomer | Refusal:
    """The customer on the vendor's account, with a clone of their current default card.

    Refuses (no Stripe call) unknown, not yet connected, disconnected and charges-disabled
    vendors, unknown customers and customers without a card. A complete mapping for the
    customer's current card is returned without calling Stripe. When the customer's card was
    replaced since the last share, the new card is cloned and made the default of the existing
    vendor customer (the vendor keeps one customer per person). A Stripe failure is a Refusal;
    the stored progress makes the next call finish the job. `actor` is named in the audit row.
    """
    async with services.sessions() as session:
        vendor = await session.get(Vendor, vendor_id)
        customer = await repo.by_id(session, customer_id)
        share = await repo.share_of(session, customer_id, vendor_id)
    refusal = check_vendor(vendor) or check_customer(customer)
    if refusal is not None:
        return refusal
    assert vendor is not None and customer is not None
    source = customer.default_payment_method_id
    assert source is not None
    if share is not None and repo.is_complete(share, source):
        return share

    async with services.sessions.begin() as session:
        share = await repo.start_share(
            session, customer_id=customer_id, vendor_id=vendor_id, source_payment_method_id=source
        )
    request = ShareRequest(vendor.stripe_account_id, customer.stripe_customer_id, source)
    try:
        await _complete(services, share, customer, request)
    except stripe.StripeError as exc:
        return stripe_refusal(exc)
    async with services.sessions.begin() as session:
        await audit.record(
            session,
            team_id=vendor.team_id,
            actor=actor,
            action="customer.share",
            target=f"{customer.email} -> {vendor.stripe_account_id}",
            outcome="shared",
            detail={
                "vendor_customer": share.vendor_customer_id,
                "vendor_payment_method": share.vendor_payment_method_id,
                "source_payment_method": source,
            },
        )
    return share


async def _complete(
    services: Services, share: SharedCustomer, customer: Customer, request: ShareRequest
) -> None:
    """Run the missing steps, storing each result as soon as Stripe returns it."""
    connection: StripeConnection = services.stripe
    first_share = share.vendor_customer_id is None
    if share.vendor_payment_method_id is None:
        clone = await clone_card(connection, request)
        if not first_share:
            # The card changed after an earlier share: the new clone becomes the default of
            # the vendor's customer; it is stored only after that, so a failure in between is
            # retried under the same keys.
            await make_default_card(
                connection, request, vendor_customer=str(share.vendor_customer_id), method=clone
            )
        async with services.sessions.begin() as session:
            await repo.save_share_step(session, share, vendor_payment_method_id=clone)
    if not first_share:
        return
    created = await create_vendor_customer(
        connection,
        request,
        method=str(share.vendor_payment_method_id),
        email=customer.email,
        name=customer.name,
        connectbot_customer=str(customer.id),
    )
    async with services.sessions.begin() as session:
        await repo.save_share_step(session, share, vendor_customer_id=created)


@dataclass(frozen=True)
class SharedWith:
    """A share an operator asked for: who, with whom, where, and whether it existed already."""

    email: str
    vendor_user_id: str
    vendor_customer: str
    account: str
    card: str
    already: bool


async def share_for_operator(
    services: Services, *, team_id: str, actor: str, vendor_user_id: str, email: str
) -> SharedWith | Refusal:
    """Share the customer with `email` with the vendor who is Slack user `vendor_user_id`, and
    tell the vendor's channel. Refuses what `share_customer` refuses (naming `email` when it is
    no customer)."""
    async with services.sessions() as session:
        vendor = await vendors.by_slack_user(session, team_id, vendor_user_id)
        customer = await repo.by_email(session, team_id, email)
        earlier = (
            await repo.share_of(session, customer.id, vendor.id)
            if vendor is not None and customer is not None
            else None
        )
    refusal = check_vendor(vendor) or check_customer(customer, email)
    if refusal is not None:
        return refusal
    assert vendor is not None and customer is not None
    already = earlier is not None and repo.is_complete(earlier, customer.default_payment_method_id)
    shared = await share_customer(
        services, customer_id=customer.id, vendor_id=vendor.id, actor=actor
    )
    if isinstance(shared, Refusal):
        return shared
    card = card_on_file(customer)
    account = vendor.stripe_account_id
    msg = shared_message(
        email=customer.email,
        vendor_user_id=vendor.slack_user_id,
        card=card,
        account=account,
        customer_on_account=shared.vendor_customer_id,
        livemode=vendor.livemode,
    )
    async with services.sessions.begin() as session:
        await announce(
            session,
            services.settings,
            vendor=vendor,
            message=msg,
            key=f"customer-share:{shared.id}:{shared.vendor_payment_method_id}",
        )
    return SharedWith(
        email=customer.email,
        vendor_user_id=vendor.slack_user_id,
        vendor_customer=str(shared.vendor_customer_id),
        account=account,
        card=card,
        already=already,
    )
