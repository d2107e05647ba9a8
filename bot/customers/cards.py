"""A customer's card: the one Stripe Checkout saved becomes their one default.

Two phases, for the `checkout.session.completed` event handler: `prepare_saved_card` reads
Stripe and sets the default there (outside any transaction, idempotent per event), then
`record_saved_card` writes the row, the audit line and the messages in the event's
transaction. Events come in any order: the newest card wins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.early_events import TryAgainLater
from bot.notifications.routing import tell_ops, tell_user
from bot.services import Services
from bot.stripe_ops.checkout import SavedCard, card_of_setup
from bot.stripe_ops.customers import card_created_at, set_default_card
from bot.views.customers import card_saved_message, describe_card
from storage.models import Customer
from storage.repos import audit
from storage.repos import customers as repo

log = logging.getLogger(__name__)


def card_on_file(customer: Customer) -> str:
    """The customer's default card as people read it: `Visa •••• 4242 (exp 12/29)`."""
    return describe_card(
        customer.card_brand, customer.card_last4, customer.card_exp_month, customer.card_exp_year
    )


@dataclass(frozen=True)
class CardToRecord:
    """A card already made the default on Stripe, to record for the customer."""

    customer_id: int
    card: SavedCard
    replaced: str | None  # the default when it was prepared
    requested_by: str | None


async def prepare_saved_card(services: Services, event: dict[str, Any]) -> CardToRecord | None:
    """The card a completed setup-mode Checkout saved, made the customer's default on Stripe.

    Nothing to record (None): a vendor's own Checkout, other modes, sessions of customers we do
    not know, SetupIntents that did not succeed, and a card older than the customer's current
    default (which stays Stripe's default). The SetupIntent is read fresh; the Stripe update's
    key derives from the event id, so preparing the same event again changes nothing.
    """
    checkout: dict[str, Any] = event["data"]["object"]
    if event.get("account") or checkout.get("mode") != "setup":
        return None
    if not checkout.get("setup_intent"):
        return None
    async with services.sessions() as session:
        customer = await repo.by_stripe_id(session, str(checkout.get("customer")))
    if customer is None:
        log.info("checkout session %s is for a customer we do not know", checkout.get("id"))
        return None
    card = await card_of_setup(services.stripe, str(checkout["setup_intent"]))
    if card is None:
        return None
    current = customer.default_payment_method_id
    if current and current != card.payment_method:
        if await card_created_at(services.stripe, current) > card.created:
            log.info("card %s is older than the default %s; kept", card.payment_method, current)
            # Set the default again on Stripe: had this event been prepared before the newer
            # card was recorded, it made this older card Stripe's default meanwhile.
            key = f"connectbot-default-card:{event['id']}:kept:{current}"
            await set_default_card(services.stripe, customer.stripe_customer_id, current, key=key)
            return None
    await set_default_card(
        services.stripe,
        customer.stripe_customer_id,
        card.payment_method,
        key=f"connectbot-default-card:{event['id']}",
    )
    metadata = checkout.get("metadata") or {}
    return CardToRecord(customer.id, card, current, metadata.get("requested_by"))


async def record_saved_card(
    session: AsyncSession, settings: Settings, saved: CardToRecord, *, event_id: str
) -> None:
    """Record the prepared card as the customer's default, audit it, and tell the ops channel
    and whoever sent the link (keyed by `event_id`: a re-run queues nothing twice).

    Raises `TryAgainLater` when the customer's default changed since `saved` was prepared
    (another card's event won meanwhile): the event is prepared again against the new default.
    """
    customer = await repo.lock(session, saved.customer_id)
    if customer is None:
        return
    if customer.default_payment_method_id not in (saved.replaced, saved.card.payment_method):
        raise TryAgainLater("the customer's default card changed while this one was saved")
    card = saved.card
    await repo.set_default_card(
        session,
        customer,
        payment_method_id=card.payment_method,
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
    )
    await audit.record(
        session,
        team_id=customer.team_id,
        actor="stripe",
        action="customer.card_saved",
        target=customer.email,
        outcome="default",
        detail={
            "payment_method": card.payment_method,
            "replaced": saved.replaced,
            "event": event_id,
        },
    )
    msg = card_saved_message(email=customer.email, card=card_on_file(customer))
    await tell_ops(session, settings, message=msg, key=event_id)
    if saved.requested_by:
        await tell_user(session, saved.requested_by, message=msg, key=event_id)
