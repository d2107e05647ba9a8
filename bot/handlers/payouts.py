"""`payout.paid` / `payout.failed` on a vendor's account: tell their channel and the vendor
(and the ops channel when a payout failed); the vendor domain words and routes it."""

from __future__ import annotations

from bot.stripe_events import EventContext, EventHandlers
from bot.vendors.payout_news import announce_payout


def register(handlers: EventHandlers) -> None:
    handlers.on("payout.paid", "payout.failed")(payout_settled)


async def payout_settled(ctx: EventContext) -> None:
    await announce_payout(
        ctx.session,
        ctx.services.settings,
        ctx.object,
        status="paid" if ctx.type == "payout.paid" else "failed",
        account=ctx.account,
        livemode=bool(ctx.event.get("livemode")),
    )
