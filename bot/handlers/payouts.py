"""`payout.paid` / `payout.failed` on a vendor's account: tell their channel and the vendor."""

from __future__ import annotations

from bot.money import Money
from bot.notifications.routing import announce, tell_user
from bot.stripe_events import EventContext, EventHandlers
from bot.views.payouts import payout_message
from storage.repos import vendors


def register(handlers: EventHandlers) -> None:
    handlers.on("payout.paid", "payout.failed")(payout_settled)


async def payout_settled(ctx: EventContext) -> None:
    payout = ctx.object
    vendor = await vendors.by_account(ctx.session, ctx.account) if ctx.account else None
    label = f"<@{vendor.slack_user_id}>" if vendor else (ctx.account or "the platform")
    msg = payout_message(
        status="paid" if ctx.type == "payout.paid" else "failed",
        amount=Money(int(payout["amount"]), str(payout["currency"]).lower()),
        vendor_label=label,
        arrival=payout.get("arrival_date"),
        failure=payout.get("failure_message"),
    )
    await announce(ctx.session, ctx.services.settings, vendor=vendor, message=msg, key=ctx.id)
    if vendor is not None:
        await tell_user(ctx.session, vendor.slack_user_id, message=msg, key=ctx.id)
