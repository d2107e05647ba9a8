"""Who may be shared with or charged for, and a Stripe failure worded for the operator."""

from __future__ import annotations

import logging

import stripe

from bot.refusal import Refusal
from bot.stripe_ops.errors import triage
from storage.models import Customer, Vendor

log = logging.getLogger(__name__)

STRIPE_TROUBLE = (
    "Stripe did not complete the request ({detail}). Nothing was duplicated; try again shortly."
)


def check_vendor(vendor: Vendor | None) -> Refusal | None:
    """None when customers may be shared with (and charged for) `vendor`; else why not."""
    if vendor is None:
        return Refusal(
            "That person isn't a connected vendor yet. Send them a link with "
            "`/connect-vendor @them` first."
        )
    if vendor.status == "disconnected":
        return Refusal(
            f"<@{vendor.slack_user_id}>'s Stripe account is disconnected; they need to connect "
            "again with `/connect-vendor` first."
        )
    if vendor.status != "connected":
        return Refusal(
            f"<@{vendor.slack_user_id}> hasn't finished connecting their Stripe account."
        )
    if not vendor.charges_enabled:
        return Refusal(
            f"Stripe hasn't enabled charges on <@{vendor.slack_user_id}>'s account yet; they "
            "need to finish their account details in Stripe first."
        )
    return None


def check_customer(customer: Customer | None, email: str = "") -> Refusal | None:
    """None when `customer` has a card to share; else why not (`email` names an unknown one)."""
    if customer is None:
        shown = f"`{email}`" if email else "That customer"
        return Refusal(f"{shown} isn't a customer yet; add them with `/add-customer` first.")
    if not customer.default_payment_method_id:
        return Refusal(
            f"`{customer.email}` has no card on file yet. Send them the `/add-customer` link "
            "and share once they have saved a card."
        )
    return None


def stripe_refusal(exc: stripe.StripeError) -> Refusal:
    """A sentence for the operator about a Stripe failure (the details go to the log)."""
    log.warning("stripe request failed: %r", exc)
    trouble = triage(exc)
    detail = trouble.message.rstrip(".")
    if trouble.kind == "missing":
        # Retrying cannot bring back what Stripe no longer has (deleted in the Dashboard, or
        # made with other keys): say what is missing and who can act on it.
        return Refusal(
            f'Stripe answered "{detail}": it was deleted in the Stripe Dashboard or belongs to '
            "another Stripe account, so retrying will not help. Ask an admin to check the "
            "Stripe Dashboard and the keys connectbot uses."
        )
    if trouble.kind == "forbidden":
        return Refusal(
            f"Stripe refused access ({detail}); the vendor may have disconnected the platform."
        )
    return Refusal(STRIPE_TROUBLE.format(detail=detail))
