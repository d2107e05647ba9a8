"""`payment_intent.succeeded` / `payment_intent.payment_failed` on a vendor's account.

Settles the charge row whatever the order: the event may arrive before the listener has
recorded Stripe's answer (then it records it, and the listener's later try changes nothing),
after it (then nothing changes), or instead of it (the answer was lost). The messages share
their dedupe keys with the listener's, so a charge is announced once.
"""

from __future__ import annotations

import logging

from bot.charges.lookup import charge_for
from bot.charges.outcomes import apply_attempt
from bot.stripe_events import EventContext, EventHandlers
from bot.stripe_ops.charges import attempt_from_event
from storage.models import Charge, Vendor

log = logging.getLogger(__name__)


def register(handlers: EventHandlers) -> None:
    handlers.on("payment_intent.succeeded", "payment_intent.payment_failed")(payment_settled)


async def payment_settled(ctx: EventContext) -> None:
    intent = ctx.object
    charge = await _charge_of(ctx)
    if charge is None:
        return  # not a connectbot charge (made in the dashboard, by another app, …)
    vendor = await ctx.session.get(Vendor, charge.vendor_id)
    if vendor is None or vendor.stripe_account_id != ctx.account:
        log.warning(
            "%s: %s is not on charge %s's account; ignored", ctx.id, intent["id"], charge.id
        )
        return
    if intent.get("amount") != charge.amount or intent.get("currency") != charge.currency:
        log.error("%s: %s does not match charge %s; ignored", ctx.id, intent["id"], charge.id)
        return
    await apply_attempt(
        ctx.session, ctx.services.settings, charge.id, attempt_from_event(intent), actor="stripe"
    )


async def _charge_of(ctx: EventContext) -> Charge | None:
    """The charge row this PaymentIntent settles, by its id or, before that is recorded (the
    event came before the listener's answer), by `metadata.connectbot_charge_id`."""
    intent = ctx.object
    metadata = intent.get("metadata") or {}
    return await charge_for(
        ctx.session,
        stripe_charge_id=None,
        payment_intent_id=str(intent.get("id")),
        connectbot_charge_id=metadata.get("connectbot_charge_id"),
    )
