"""`checkout.session.completed` (setup mode): the saved card becomes the customer's default,
and the ops channel (and the operator who sent the link) hear about it."""

from __future__ import annotations

from bot.notifications.routing import tell_ops, tell_user
from bot.stripe_ops.checkout import save_card
from bot.stripe_ops.webhooks import EventContext, EventHandlers
from bot.views.customers import card_saved_message, describe_card


def register(handlers: EventHandlers) -> None:
    handlers.on("checkout.session.completed")(card_saved)


async def card_saved(ctx: EventContext) -> None:
    if ctx.account is not None:  # a vendor's own Checkout, not one of ours
        return
    saved = await save_card(ctx.session, ctx.services, ctx.object, event_id=ctx.id)
    if saved is None:
        return
    customer = saved.customer
    card = describe_card(
        customer.card_brand, customer.card_last4, customer.card_exp_month, customer.card_exp_year
    )
    msg = card_saved_message(email=customer.email, card=card)
    await tell_ops(ctx.session, ctx.services.settings, message=msg, key=ctx.id)
    if saved.requested_by:
        await tell_user(ctx.session, saved.requested_by, message=msg, key=ctx.id)
