"""`checkout.session.completed` (setup mode): the saved card becomes the customer's default,
and the ops channel (and the operator who sent the link) hear about it.

Stripe is read and updated by the `prepare` hook, before the event's transaction opens; the
handler only records what it prepared.
"""

from __future__ import annotations

from bot.customers.cards import prepare_saved_card, record_saved_card
from bot.stripe_events import EventContext, EventHandlers


def register(handlers: EventHandlers) -> None:
    handlers.on("checkout.session.completed", prepare=prepare_saved_card)(card_saved)


async def card_saved(ctx: EventContext) -> None:
    if ctx.prepared is None:  # nothing to record (see `prepare_saved_card`)
        return
    await record_saved_card(ctx.session, ctx.services.settings, ctx.prepared, event_id=ctx.id)
