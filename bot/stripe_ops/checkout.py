"""Stripe Checkout in `mode=setup` (PCI SAQ A): a hosted page where a customer saves a card,
and the card such a page saved. Stripe only: ids and typed results in and out."""

from __future__ import annotations

from dataclasses import dataclass

import stripe

from bot.stripe_ops.client import StripeConnection

DONE_PATH = "/checkout/done"


async def create_setup_session(
    stripe_connection: StripeConnection,
    *,
    customer: str,
    currency: str,
    public_url: str,
    metadata: dict[str, str],
) -> str | None:
    """The URL of a new setup-mode Checkout Session for the platform customer `customer`, which
    returns to `public_url` + `DONE_PATH`; None when Stripe gave no URL."""
    done = public_url + DONE_PATH
    session = await stripe_connection.api.v1.checkout.sessions.create_async(
        params={
            "mode": "setup",
            "customer": customer,
            "currency": currency,
            "success_url": done + "?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": done + "?cancelled=1",
            "metadata": metadata,
        }
    )
    return session.url or None


@dataclass(frozen=True)
class SavedCard:
    """A card a SetupIntent saved: its PaymentMethod, when it was made, and what it shows."""

    payment_method: str
    created: int
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None


async def card_of_setup(stripe_connection: StripeConnection, setup_intent: str) -> SavedCard | None:
    """The card the SetupIntent saved, read fresh; None unless it succeeded with a card."""
    intent = await stripe_connection.api.v1.setup_intents.retrieve_async(
        setup_intent, params={"expand": ["payment_method"]}
    )
    method = intent.payment_method
    if intent.status != "succeeded" or not isinstance(method, stripe.PaymentMethod):
        return None
    card = method.card
    return SavedCard(
        payment_method=method.id,
        created=int(method.created),
        brand=card.brand if card else None,
        last4=card.last4 if card else None,
        exp_month=card.exp_month if card else None,
        exp_year=card.exp_year if card else None,
    )
