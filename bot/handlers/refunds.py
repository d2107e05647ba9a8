"""`charge.refunded`: keep refunded amounts right, and announce refunds made outside connectbot.

Refunds made with /refund are written `pending` before Stripe is called and announced by the
command, so here they are already accounted for; only the part of Stripe's `amount_refunded`
that connectbot does not know of (a Dashboard refund) is recorded and announced. Such a refund
is recorded as returning no platform fee: a vendor's own refund never refunds the platform's
application fee, and when the platform did refund it (an API refund made elsewhere, or a fee
refund), `application_fee.refunded` raises the charge's refunded fee to Stripe's figure
(handlers/fees.py), so the total is right whichever event comes first.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.refunding import announce_refund
from bot.stripe_ops.webhooks import EventContext, EventHandlers
from storage.models import Charge
from storage.repos import audit, refunds


def register(handlers: EventHandlers) -> None:
    handlers.on("charge.refunded")(charge_refunded)


async def charge_refunded(ctx: EventContext) -> None:
    stripe_charge = ctx.object
    charge = await ctx.session.scalar(
        select(Charge).where(Charge.stripe_charge_id == stripe_charge["id"])
    )
    if charge is None:
        return  # not a charge connectbot made
    stripe_refunded = int(stripe_charge.get("amount_refunded") or 0)
    outside = stripe_refunded - await refunds.accounted_for(ctx.session, charge.id)
    if outside <= 0:
        return
    fee = 0  # see the module docstring: Stripe's fee events bring any fee refund
    refund, created = await refunds.add_pending(
        ctx.session,
        charge_id=charge.id,
        amount=outside,
        idempotency_key=f"outside:{stripe_charge['id']}:{stripe_refunded}",
        requested_by="stripe",
    )
    if not created or not await refunds.settle(
        ctx.session, refund.id, status="succeeded", fee_refunded=fee
    ):
        return
    await refunds.add_to_charge(
        ctx.session, charge.id, amount=outside, fee_refunded_total=charge.fee_refunded + fee
    )
    await audit.record(
        ctx.session,
        team_id=charge.team_id,
        actor="stripe",
        action="refund.outside",
        target=charge.id,
        outcome="succeeded",
        detail={"amount": outside, "currency": charge.currency},
    )
    await announce_refund(
        ctx.session,
        ctx.services.settings,
        charge,
        amount=outside,
        fee=fee,
        remaining=charge.amount - stripe_refunded,
        refund_id=None,
        key=f"refund-outside:{stripe_charge['id']}:{stripe_refunded}",
        outside=True,
    )
