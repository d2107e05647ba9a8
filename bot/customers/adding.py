"""Adding a platform customer (one per email per workspace) and sending them a card link."""

from __future__ import annotations

from dataclasses import dataclass

import stripe

from bot.customers.cards import card_on_file
from bot.customers.checks import stripe_refusal
from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.checkout import create_setup_session
from bot.stripe_ops.customers import find_or_create_platform_customer
from storage.models import Customer
from storage.repos import audit
from storage.repos import customers as repo


async def find_or_create_customer(
    services: Services, *, team_id: str, email: str, name: str | None, actor: str
) -> Customer | Refusal:
    """The platform customer for `email` in the workspace.

    Looks in our table first, then on Stripe by email, and only then creates one (the same one
    on a retry or a concurrent /add-customer); a new row is audited under `actor`. A Stripe
    failure is a Refusal. `email` must already be normalized (`parse_email`).
    """
    email = email.lower()
    async with services.sessions() as session:
        known = await repo.by_email(session, team_id, email)
    if known is not None:
        return known
    try:
        stripe_id = await find_or_create_platform_customer(
            services.stripe, team_id=team_id, email=email, name=name
        )
    except stripe.StripeError as exc:
        return stripe_refusal(exc)
    async with services.sessions.begin() as session:
        stored = await repo.add(
            session, team_id=team_id, email=email, name=name, stripe_customer_id=stripe_id
        )
        await audit.record(
            session,
            team_id=team_id,
            actor=actor,
            action="customer.add",
            target=email,
            outcome="added",
            detail={"stripe_customer": stored.stripe_customer_id},
        )
    return stored


@dataclass(frozen=True)
class CardLink:
    """A Checkout page where the customer saves a card, and the card they have now (if any)."""

    email: str
    url: str
    current_card: str | None


async def card_link(
    services: Services, *, team_id: str, email: str, name: str | None, requested_by: str
) -> CardLink | Refusal:
    """A new card link for the customer with `email` (added first when new), audited under
    `requested_by`, who hears when the card is saved. A Stripe failure is a Refusal."""
    customer = await find_or_create_customer(
        services, team_id=team_id, email=email, name=name, actor=requested_by
    )
    if isinstance(customer, Refusal):
        return customer
    settings = services.settings
    try:
        url = await create_setup_session(
            services.stripe,
            customer=customer.stripe_customer_id,
            currency=settings.default_currency,
            public_url=settings.public_url,
            # Remembers who asked, so they hear when the card is saved (`cards`).
            metadata={
                "connectbot_team": customer.team_id,
                "connectbot_customer": str(customer.id),
                "requested_by": requested_by,
            },
        )
    except stripe.StripeError as exc:
        return stripe_refusal(exc)
    if url is None:
        return Refusal("Stripe did not return a Checkout link; try again shortly.")
    async with services.sessions.begin() as session:
        await audit.record(
            session,
            team_id=team_id,
            actor=requested_by,
            action="customer.card_link",
            target=customer.email,
            outcome="sent",
            detail={"stripe_customer": customer.stripe_customer_id},
        )
    current = card_on_file(customer) if customer.default_payment_method_id else None
    return CardLink(email=customer.email, url=url, current_card=current)
