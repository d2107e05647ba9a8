"""`charge.dispute.created`: tell the vendor's channel, the ops channel and the vendor."""

from __future__ import annotations

from sqlalchemy import select

from bot.money import Money
from bot.notifications.routing import announce, tell_ops, tell_user, vendor_channel
from bot.stripe_ops.webhooks import EventContext, EventHandlers
from bot.views.refunds import dispute_message
from storage.models import Charge
from storage.repos import audit, vendors


def register(handlers: EventHandlers) -> None:
    handlers.on("charge.dispute.created")(dispute_created)


async def dispute_created(ctx: EventContext) -> None:
    dispute = ctx.object
    stripe_charge = dispute.get("charge")
    charge = (
        await ctx.session.scalar(select(Charge).where(Charge.stripe_charge_id == stripe_charge))
        if stripe_charge
        else None
    )
    vendor = await vendors.by_account(ctx.session, ctx.account) if ctx.account else None
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
