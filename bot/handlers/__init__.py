"""Stripe event handlers, one module per concern; each exposes `register(handlers)`."""

from __future__ import annotations

from bot.handlers import payouts
from bot.stripe_ops.webhooks import EventHandlers


def build_event_handlers() -> EventHandlers:
    handlers = EventHandlers()
    for module in (payouts,):
        module.register(handlers)
    return handlers
