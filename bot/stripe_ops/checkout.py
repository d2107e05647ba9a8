"""Collecting a customer's card with Stripe Checkout (`mode=setup`; PCI SAQ A).

`card_setup_link` makes a hosted Checkout page for a platform customer; when the customer
completes it, `save_card` (run by the `checkout.session.completed` handler) makes the card the
customer's one default, on Stripe and in our table.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from bot.money import Refusal
from bot.services import Services
from bot.stripe_ops.customers import stripe_refusal
from bot.stripe_ops.keys import answer_was_replayed
from storage.models import Customer
from storage.repos import audit
from storage.repos import customers as repo

log = logging.getLogger(__name__)

DONE_PATH = "/checkout/done"


async def card_setup_link(
    services: Services, customer: Customer, *, requested_by: str
) -> str | Refusal:
    """The URL of a new Checkout Session where `customer` saves a card; a Stripe failure is a
    Refusal. The session remembers who asked (metadata), so they hear when the card is saved."""
    settings = services.settings
    done = settings.public_url + DONE_PATH
    try:
        session = await services.stripe.api.v1.checkout.sessions.create_async(
            params={
                "mode": "setup",
                "customer": customer.stripe_customer_id,
                "currency": settings.default_currency,
                "success_url": done + "?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": done + "?cancelled=1",
                "metadata": {
                    "connectbot_team": customer.team_id,
                    "connectbot_customer": str(customer.id),
                    "requested_by": requested_by,
                },
            }
        )
    except stripe.StripeError as exc:
        return stripe_refusal(exc)
    if not session.url:
        return Refusal("Stripe did not return a Checkout link; try again shortly.")
    return session.url


@dataclass(frozen=True)
class SavedCard:
    """A card that became a customer's default, and who asked for it (when known)."""

    customer: Customer
    requested_by: str | None


async def save_card(
    session: AsyncSession, services: Services, checkout: dict[str, Any], *, event_id: str
) -> SavedCard | None:
    """Make the card saved in a completed setup-mode `checkout` session the customer's default.

    The SetupIntent is fetched fresh. Ignored (None): other modes, sessions of customers we do
    not know, SetupIntents that did not succeed, and a card older than the customer's current
    default (events may arrive out of order; the newest card wins). Re-running for the same
    event changes nothing. The Stripe update's idempotency key derives from `event_id`.
    """
    if checkout.get("mode") != "setup" or not checkout.get("setup_intent"):
        return None
    customer = await repo.by_stripe_id(session, str(checkout.get("customer")))
    if customer is None:
        log.info("checkout session %s is for a customer we do not know", checkout.get("id"))
        return None
    api = services.stripe.api.v1
    intent = await api.setup_intents.retrieve_async(
        str(checkout["setup_intent"]), params={"expand": ["payment_method"]}
    )
    method = intent.payment_method
    if intent.status != "succeeded" or not isinstance(method, stripe.PaymentMethod):
        return None
    current = customer.default_payment_method_id
    if current and current != method.id:
        previous = await api.payment_methods.retrieve_async(current)
        if previous.created > method.created:
            log.info("card %s is older than the default %s; kept", method.id, current)
            return None
    params: Any = {"invoice_settings": {"default_payment_method": method.id}}
    key = f"connectbot-default-card:{event_id}"
    try:
        await api.customers.update_async(
            customer.stripe_customer_id, params=params, options={"idempotency_key": key}
        )
    except stripe.StripeError as exc:
        if not answer_was_replayed(exc):
            raise
        # Stripe saved an error under this key and replays it for 24 hours, so the event would
        # never get past it. Setting a default card is the same however often it is done, so
        # ask once more under a key of its own.
        await api.customers.update_async(
            customer.stripe_customer_id,
            params=params,
            options={"idempotency_key": f"{key}:{secrets.token_hex(8)}"},
        )
    card = method.card
    customer.default_payment_method_id = method.id
    customer.card_brand = card.brand if card else None
    customer.card_last4 = card.last4 if card else None
    customer.card_exp_month = card.exp_month if card else None
    customer.card_exp_year = card.exp_year if card else None
    await audit.record(
        session,
        team_id=customer.team_id,
        actor="stripe",
        action="customer.card_saved",
        target=customer.email,
        outcome="default",
        detail={"payment_method": method.id, "replaced": current, "event": event_id},
    )
    metadata = checkout.get("metadata") or {}
    return SavedCard(customer, metadata.get("requested_by"))
