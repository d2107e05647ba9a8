"""Payments that went wrong on a vendor's account: `radar.early_fraud_warning.created`,
`charge.failed` (payments made outside connectbot) and `payment_intent.canceled`; the charge
domain (`bot.charges.alerts`) decides what is told and words it."""

from __future__ import annotations

from bot.charges.alerts import (
    announce_canceled,
    announce_fraud_warning,
    announce_outside_failure,
    read_warned_charge,
)
from bot.stripe_events import EventContext, EventHandlers


def register(handlers: EventHandlers) -> None:
    handlers.on("radar.early_fraud_warning.created", prepare=read_warned_charge)(fraud_warning)
    handlers.on("charge.failed")(charge_failed)
    handlers.on("payment_intent.canceled")(payment_canceled)


def _livemode(ctx: EventContext) -> bool:
    return bool(ctx.event.get("livemode"))


async def fraud_warning(ctx: EventContext) -> None:
    await announce_fraud_warning(
        ctx.session,
        ctx.services.settings,
        ctx.object,
        charge_read=ctx.prepared,
        account=ctx.account,
        livemode=_livemode(ctx),
    )


async def charge_failed(ctx: EventContext) -> None:
    await announce_outside_failure(
        ctx.session, ctx.services.settings, ctx.object, account=ctx.account, livemode=_livemode(ctx)
    )


async def payment_canceled(ctx: EventContext) -> None:
    await announce_canceled(
        ctx.session, ctx.services.settings, ctx.object, account=ctx.account, livemode=_livemode(ctx)
    )
