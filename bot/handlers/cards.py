"""`customer.source.expiring`: a customer's saved card expires at the end of the month; the
customer domain tells the ops channel, once per card per expiry (`bot.customers.expiry`)."""

from __future__ import annotations

from bot.customers.expiry import tell_source_expiring
from bot.stripe_events import EventContext, EventHandlers


def register(handlers: EventHandlers) -> None:
    handlers.on("customer.source.expiring")(source_expiring)


async def source_expiring(ctx: EventContext) -> None:
    await tell_source_expiring(ctx.session, ctx.services.settings, ctx.object)
