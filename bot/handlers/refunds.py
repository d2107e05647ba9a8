"""`charge.refunded`: record and announce refunds made outside connectbot, in any event order.

Refunds made with /refund are already accounted for; the part of Stripe's `amount_refunded`
connectbot does not know of (a refund made in the vendor's Dashboard) is recorded by
`bot.refunds.outside`, with the application fee read from Stripe in the `prepare` step, before
the event processor's transaction.

The event may come early: before connectbot recorded the charge's success, or while one of
its own refunds of the charge is still in flight (its answer not yet recorded). Either way the
handler waits (`NotYetKnown`) rather than guess, and the event is handled again later.
"""

from __future__ import annotations

from typing import Any

from bot.refunds.outside import (
    OutsideFee,
    fee_still_current,
    read_outside_fee,
    record_outside_refund,
    refunded_outside_charge,
)
from bot.services import Services
from bot.stripe_events import EventContext, EventHandlers


def register(handlers: EventHandlers) -> None:
    handlers.on("charge.refunded", prepare=read_refunded_fee)(charge_refunded)


async def read_refunded_fee(services: Services, event: dict[str, Any]) -> OutsideFee | None:
    """Before the transaction: the charge's application fee, when a refund made outside
    connectbot is to be recorded (None: nothing to record)."""
    return await read_outside_fee(services, event["data"]["object"])


async def charge_refunded(ctx: EventContext) -> None:
    stripe_charge = ctx.object
    charge = await refunded_outside_charge(ctx.session, stripe_charge, lock=True)
    if charge is None:
        return  # not connectbot's charge, or nothing refunded outside it
    await record_outside_refund(
        ctx.session,
        ctx.services.settings,
        charge,
        stripe_charge_id=str(stripe_charge["id"]),
        stripe_refunded=int(stripe_charge.get("amount_refunded") or 0),
        fee=fee_still_current(ctx.prepared, charge),
    )
