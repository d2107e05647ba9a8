"""`application_fee.created` / `application_fee.refunded`: the platform's fees, for reporting."""

from __future__ import annotations

from bot.stripe_events import EventContext, EventHandlers
from storage.repos import fees


def register(handlers: EventHandlers) -> None:
    handlers.on("application_fee.created", "application_fee.refunded")(fee_changed)


async def fee_changed(ctx: EventContext) -> None:
    """Upsert the fee; order-proof because refunded amounts only grow (storage/repos/fees)."""
    await fees.record(ctx.session, ctx.object)
