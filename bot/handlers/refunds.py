"""`charge.refunded`: record and announce refunds made outside connectbot, in any event order.

Refunds made with /refund are already accounted for; the part of Stripe's `amount_refunded`
connectbot does not know of (a refund made in the vendor's Dashboard) is recorded by
`bot.refunds.outside`, with the application fee read from Stripe first.

The event may come early: before connectbot recorded the charge's success, or while one of
its own refunds of the charge is still in flight (its answer not yet recorded). Either way the
handler waits (`NotYetKnown`) rather than guess, and the event is handled again later.
"""

from __future__ import annotations

from bot.charges.lookup import charge_for, id_of
from bot.early_events import NotYetKnown, TryAgainLater
from bot.refunds.outside import record_outside_refund, refunded_outside
from bot.stripe_events import EventContext, EventHandlers
from bot.stripe_ops.fees import application_fee_of
from storage.models import Charge
from storage.repos import charges, refunds


def register(handlers: EventHandlers) -> None:
    handlers.on("charge.refunded")(charge_refunded)


async def charge_refunded(ctx: EventContext) -> None:
    stripe_charge = ctx.object
    charge = await _refunded_charge(ctx)
    if charge is None:
        return  # not a charge connectbot made
    stripe_refunded = int(stripe_charge.get("amount_refunded") or 0)
    if refunded_outside(charge, stripe_refunded=stripe_refunded) <= 0:
        return  # an older snapshot, or refunds connectbot has already recorded
    if await refunds.pending_total(ctx.session, charge.id):
        raise NotYetKnown(f"refunds of {charge.id} are in flight; their answers come first")
    reading = await application_fee_of(ctx.services.stripe, str(stripe_charge["id"]))
    if not reading.known:
        raise TryAgainLater(f"could not read the application fee of {charge.id}; will retry")
    await record_outside_refund(
        ctx.session,
        ctx.services.settings,
        charge,
        stripe_charge_id=str(stripe_charge["id"]),
        stripe_refunded=stripe_refunded,
        fee=reading.fee,
    )


async def _refunded_charge(ctx: EventContext) -> Charge | None:
    """connectbot's row for the refunded charge, locked; None when it is not connectbot's.

    Raises `NotYetKnown` when the row exists but does not yet record this charge's success.
    """
    stripe_charge = ctx.object
    metadata = stripe_charge.get("metadata") or {}
    found = await charge_for(
        ctx.session,
        stripe_charge_id=str(stripe_charge["id"]),
        payment_intent_id=id_of(stripe_charge.get("payment_intent")),
        connectbot_charge_id=metadata.get("connectbot_charge_id"),
    )
    if found is None:
        return None
    charge = await charges.lock(ctx.session, found.id)
    assert charge is not None
    if charge.status != "succeeded" or charge.stripe_charge_id is None:
        raise NotYetKnown(f"{charge.id} is {charge.status}; its success is not recorded yet")
    if charge.stripe_charge_id != stripe_charge["id"]:
        return None  # another charge of the same PaymentIntent: not the one connectbot recorded
    return charge
