"""`charge.dispute.created`: tell the vendor's channel, the ops channel and the vendor.

The dispute names Stripe's charge and PaymentIntent; it may come before connectbot recorded
them on its charge row. Then the charge is read from the vendor's account, whose metadata
names the connectbot charge. When that read fails (the vendor revoked access) and one of the
vendor's charges still awaits Stripe's answer, the handler waits (`NotYetKnown`) for it rather
than announce a connectbot charge as someone else's.
"""

from __future__ import annotations

from bot.charges.lookup import charge_for, id_of
from bot.early_events import NotYetKnown
from bot.money import Money
from bot.notifications.routing import announce, tell_ops, tell_user, vendor_channel
from bot.stripe_events import EventContext, EventHandlers
from bot.stripe_ops.disputes import charge_metadata
from bot.views.refunds import dispute_message
from storage.models import Charge, Vendor
from storage.repos import audit, charges, vendors


def register(handlers: EventHandlers) -> None:
    handlers.on("charge.dispute.created")(dispute_created)


async def dispute_created(ctx: EventContext) -> None:
    dispute = ctx.object
    stripe_charge = id_of(dispute.get("charge"))
    vendor = await vendors.by_account(ctx.session, ctx.account) if ctx.account else None
    charge = await _disputed_charge(ctx, vendor)
    msg = dispute_message(
        amount=Money(int(dispute["amount"]), str(dispute["currency"]).lower()),
        reason=str(dispute.get("reason") or "unknown"),
        due_by=(dispute.get("evidence_details") or {}).get("due_by"),
        vendor_user_id=vendor.slack_user_id if vendor else None,
        account=ctx.account,
        charge_ref=charge.id if charge else str(stripe_charge),
    )
    key = f"dispute:{dispute['id']}"
    settings = ctx.services.settings
    await announce(ctx.session, settings, vendor=vendor, message=msg, key=key)
    if vendor_channel(vendor, settings) != settings.ops_channel_id:
        await tell_ops(ctx.session, settings, message=msg, key=key)
    if vendor is not None:
        await tell_user(ctx.session, vendor.slack_user_id, message=msg, key=key)
    await audit.record(
        ctx.session,
        team_id=vendor.team_id if vendor else None,
        actor="stripe",
        action="dispute.created",
        target=charge.id if charge else str(stripe_charge),
        outcome=str(dispute.get("status") or "needs_response"),
        detail={"dispute": dispute["id"], "amount": dispute["amount"]},
    )


async def _disputed_charge(ctx: EventContext, vendor: Vendor | None) -> Charge | None:
    """connectbot's charge the dispute is about; None when it is not one of connectbot's."""
    dispute = ctx.object
    stripe_charge = id_of(dispute.get("charge"))
    payment_intent = id_of(dispute.get("payment_intent"))
    known = await charge_for(
        ctx.session,
        stripe_charge_id=stripe_charge,
        payment_intent_id=payment_intent,
        connectbot_charge_id=None,
    )
    if known is not None or vendor is None or not ctx.account or not stripe_charge:
        return known
    if not await charges.awaiting_answer(ctx.session, vendor.id):
        return None  # every charge of the vendor that reached Stripe is known by its ids
    metadata = await charge_metadata(ctx.services.stripe, ctx.account, stripe_charge)
    if metadata is None:
        raise NotYetKnown(f"{stripe_charge} may be a charge on {ctx.account} awaiting its answer")
    return await charge_for(
        ctx.session,
        stripe_charge_id=None,
        payment_intent_id=payment_intent,
        connectbot_charge_id=metadata.get("connectbot_charge_id"),
    )
